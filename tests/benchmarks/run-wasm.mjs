// Node/V8 runner: instantiates a benchmark .wasm and times its exported run(n).
// usage: node run-wasm.mjs FILE.wasm N REPS
// prints one JSON line {"checksum":C,"times_ms":[...],"instantiate_ms":T}: each time is the wall time
// of one run(n) call (process.hrtime), excluding node startup, compilation and instantiation.
import { readFileSync } from 'node:fs';

const [file, nArg, repsArg] = process.argv.slice(2);
if (!file || nArg === undefined || repsArg === undefined) {
  console.error('usage: node run-wasm.mjs FILE.wasm N REPS');
  process.exit(2);
}
const n = Number.parseInt(nArg, 10);
const reps = Number.parseInt(repsArg, 10);
if (!Number.isInteger(n) || !Number.isInteger(reps) || reps < 1) {
  console.error(`run-wasm.mjs: bad N or REPS: ${nArg} ${repsArg}`);
  process.exit(2);
}
const t0 = process.hrtime.bigint();
const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
const instantiateMs = Number(process.hrtime.bigint() - t0) / 1e6;
const run = instance.exports.run;
if (typeof run !== 'function') {
  console.error(`run-wasm.mjs: ${file} exports no function "run"`);
  process.exit(1);
}
const times = [];
let checksum;
for (let r = 0; r < reps; r++) {
  const s = process.hrtime.bigint();
  const c = run(n) >>> 0;
  times.push(Number(process.hrtime.bigint() - s) / 1e6);
  if (checksum !== undefined && c !== checksum) {
    console.error(`checksum changed between runs: ${checksum} then ${c}`);
    process.exit(1);
  }
  checksum = c;
}
console.log(JSON.stringify({ checksum, times_ms: times.map(t => Number(t.toFixed(4))), instantiate_ms: Number(instantiateMs.toFixed(4)) }));
