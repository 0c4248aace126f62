// Node/V8 runner for an expert (larql ABI, /work/shared/guide/expert-abi.md): instantiates FILE.wasm with no
// imports, calls _initialize if exported, then makes the host call sequence for OP with ARGS (a JSON object) REPS
// times: larql_alloc + copy op and args, larql_call, larql_dealloc both, read the NUL-terminated result, dealloc it.
// usage: node run-expert.mjs FILE.wasm OP ARGS_JSON REPS
// prints one JSON line {"value":V,"times_ms":[...],"instantiate_ms":T}: each time is the wall time of one whole
// call sequence (process.hrtime), excluding node startup, compilation and instantiation; V is the result's "value".
import { readFileSync } from 'node:fs';

const [file, op, argsJson, repsArg] = process.argv.slice(2);
const reps = Number.parseInt(repsArg ?? '', 10);
if (!file || !op || argsJson === undefined || !Number.isInteger(reps) || reps < 1) {
  console.error('usage: node run-expert.mjs FILE.wasm OP ARGS_JSON REPS');
  process.exit(2);
}
JSON.parse(argsJson); // fail early on bad args
const t0 = process.hrtime.bigint();
const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
const instantiateMs = Number(process.hrtime.bigint() - t0) / 1e6;
const x = instance.exports;
for (const name of ['memory', 'larql_alloc', 'larql_dealloc', 'larql_call']) {
  if (!(name in x)) { console.error(`run-expert.mjs: ${file} does not export ${name}`); process.exit(1); }
}
if (typeof x._initialize === 'function') x._initialize();
const enc = new TextEncoder();
const dec = new TextDecoder();
const opBytes = enc.encode(op);
const argBytes = enc.encode(argsJson);

function put(bytes) {
  const p = x.larql_alloc(bytes.length);
  if (p === 0) throw new Error('larql_alloc returned 0');
  new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
  return p;
}

function call() {
  const pOp = put(opBytes), pArgs = put(argBytes);
  const r = x.larql_call(pOp, opBytes.length, pArgs, argBytes.length);
  x.larql_dealloc(pOp, opBytes.length);
  x.larql_dealloc(pArgs, argBytes.length);
  if (r === 0) throw new Error(`the expert declined op ${op}`);
  const mem = new Uint8Array(x.memory.buffer);
  let end = r;
  while (end < mem.length && mem[end] !== 0) end++;
  if (end === mem.length) throw new Error('result has no NUL within memory');
  const text = dec.decode(mem.subarray(r, end));
  x.larql_dealloc(r, end - r + 1);
  return JSON.parse(text).value;
}

const times = [];
let value;
for (let i = 0; i < reps; i++) {
  const s = process.hrtime.bigint();
  const v = call();
  times.push(Number(process.hrtime.bigint() - s) / 1e6);
  if (value !== undefined && JSON.stringify(v) !== JSON.stringify(value)) {
    console.error(`result changed between calls: ${JSON.stringify(value)} then ${JSON.stringify(v)}`);
    process.exit(1);
  }
  value = v;
}
console.log(JSON.stringify({ value, times_ms: times.map(t => Number(t.toFixed(4))), instantiate_ms: Number(instantiateMs.toFixed(4)) }));
