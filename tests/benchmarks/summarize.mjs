// Turns compare.sh's raw JSON lines into markdown tables. Fails (exit 1) when checksums disagree.
// usage: node summarize.mjs RAW.jsonl
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(l => l.trim() !== '');
const rows = lines.map(l => JSON.parse(l));
const programs = [...new Set(rows.map(r => r.program))];
const get = (program, kind) => rows.find(r => r.program === program && r.kind === kind);
const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ms = x => x === undefined ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
const ratio = (a, b) => a === undefined || b === undefined ? '–' : (a / b).toFixed(1) + '×';

let mismatch = false;
const out = [];
out.push('Call time: one `run(n)` call in a started process (median of the calls; min in parentheses), ms.');
out.push('');
out.push('| program | n | checksum | native gcc -O2 | V8 (node) | interpreter | compiler | Wasmtime | interp / V8 | interp / V8 (min) | compiler / V8 | compiler / V8 (min) | Wasmtime / V8 | interp / native | V8 / native |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const p of programs) {
  const nat = get(p, 'native'), v8 = get(p, 'v8'), it = get(p, 'interp'), co = get(p, 'compiler'), wt = get(p, 'wasmtime');
  const sums = rows.filter(r => r.program === p).map(r => r.result.checksum >>> 0);
  const same = sums.every(s => s === sums[0]);
  if (!same) mismatch = true;
  const m = r => r && median(r.result.times_ms);
  const mn = r => r && Math.min(...r.result.times_ms);
  const cell = r => r ? `${ms(m(r))} (${ms(mn(r))})` : '–';
  out.push(`| ${p} | ${nat?.n ?? ''} | ${same ? sums[0] + ' (all equal)' : 'MISMATCH ' + rows.filter(r => r.program === p).map(r => `${r.kind}=${r.result.checksum >>> 0}`).join(' ')} | ${cell(nat)} | ${cell(v8)} | ${cell(it)} | ${cell(co)} | ${cell(wt)} | ${ratio(m(it), m(v8))} | ${ratio(mn(it), mn(v8))} | ${ratio(m(co), m(v8))} | ${ratio(mn(co), mn(v8))} | ${ratio(m(wt), m(v8))} | ${ratio(m(it), m(nat))} | ${ratio(m(v8), m(nat))} |`);
}
out.push('');
out.push('Whole process: a fresh process that loads the module and makes one call, wall ms (first call, so V8 and .NET JIT warm-up included).');
out.push('');
const hasCli = rows.some(r => r.kind === 'cli');
out.push(`| program | native | node run-wasm.mjs | interpreter runner | compiler runner | Wasmtime runner |${hasCli ? ' polymath run |' : ''} interp runner / node |`);
out.push(`|---|---|---|---|---|---|${hasCli ? '---|' : ''}---|`);
for (const p of programs) {
  const t = k => get(p, k)?.process_ms;
  out.push(`| ${p} | ${ms(t('native1'))} | ${ms(t('v81'))} | ${ms(t('interp1'))} | ${ms(t('compiler1'))} | ${ms(t('wasmtime1'))} |${hasCli ? ` ${ms(t('cli'))} |` : ''} ${ratio(t('interp1'), t('v81'))} |`);
}
const it = rows.filter(r => r.kind === 'interp');
if (it.length) {
  out.push('');
  out.push('Interpreter details: wasm instructions executed (fuel consumed by one metered call), time per instruction');
  out.push('(median call time / instructions) for the interpreter and for V8, the metered call\'s time, compile');
  out.push('(decode + validate + translate) and instantiate times.');
  out.push('');
  out.push('| program | instructions | interp ns/instr | V8 ns/instr | metered call ms | compile ms | instantiate ms |');
  out.push('|---|---|---|---|---|---|---|');
  for (const r of it) {
    const ins = r.result.instructions;
    const v8 = get(r.program, 'v8');
    const per = t => ins ? (t * 1e6 / ins).toFixed(2) : '–';
    out.push(`| ${r.program} | ${ins ?? '–'} | ${per(median(r.result.times_ms))} | ${v8 ? per(median(v8.result.times_ms)) : '–'} | ${ms(r.result.fuel_call_ms)} | ${ms(r.result.compile_ms)} | ${ms(r.result.instantiate_ms)} |`);
  }
}
const co = rows.filter(r => r.kind === 'compiler');
if (co.length) {
  out.push('');
  out.push('Compiler details: wasm size; compile = decode + validate (CIL is emitted lazily); first call = CIL emission for');
  out.push('the functions it reaches + RyuJIT + the call; compile cost = first call - median call, per KB of wasm; fuel');
  out.push('consumed by one metered call (the compiler\'s rule: per function entry and loop iteration, see');
  out.push('plugins/Polymath.Runtime.Compiler/RATIONALE.md) and that call\'s time.');
  out.push('');
  out.push('| program | wasm bytes | compile ms | instantiate ms | first call ms | compile cost ms / KB | fuel | metered call ms |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const r of co) {
    const kb = r.result.wasm_bytes / 1024;
    const cost = r.result.first_call_ms - median(r.result.times_ms) + r.result.compile_ms;
    out.push(`| ${r.program} | ${r.result.wasm_bytes} | ${ms(r.result.compile_ms)} | ${ms(r.result.instantiate_ms)} | ${ms(r.result.first_call_ms)} | ${ms(cost / kb)} | ${r.result.instructions ?? '–'} | ${ms(r.result.fuel_call_ms)} |`);
  }
}
const wts = rows.filter(r => r.kind === 'wasmtime');
if (wts.length) {
  out.push('');
  out.push('Wasmtime details: compile (Polymath.Wasm decode + validate, then Cranelift) and instantiate times, ms.');
  out.push('');
  out.push('| program | compile ms | instantiate ms |');
  out.push('|---|---|---|');
  for (const r of wts) out.push(`| ${r.program} | ${ms(r.result.compile_ms)} | ${ms(r.result.instantiate_ms)} |`);
}
const cm = programs.includes('coremark') ? 'coremark' : undefined;
if (cm) {
  // CoreMark-like score: iterations of run(n)'s loop per second, from the median call time.
  const score = k => { const r = get(cm, k); return r ? r.n / (median(r.result.times_ms) / 1000) : undefined; };
  const kinds = [['native', 'native gcc -O2'], ['v8', 'V8'], ['interp', 'interpreter'], ['compiler', 'compiler'], ['wasmtime', 'Wasmtime']];
  const parts = kinds.filter(([k]) => score(k) !== undefined).map(([k, label]) => `${label} ${score(k).toFixed(0)}`);
  const cw = score('compiler') !== undefined && score('wasmtime') !== undefined ? (score('compiler') / score('wasmtime')).toFixed(2) + '×' : '–';
  out.push('');
  out.push(`CoreMark-like score (iterations/s, median call): ${parts.join(', ')}; compiler / Wasmtime ${cw}`);
}
console.log(out.join('\n'));
if (mismatch) {
  console.error('summarize.mjs: checksums differ between runtimes');
  process.exit(1);
}
