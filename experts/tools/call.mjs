#!/usr/bin/env node
// Calls a larql expert .wasm through the exact ABI sequence and prints the result.
//   node call.mjs <expert.wasm> --metadata
//   node call.mjs <expert.wasm> <op> '<args json>'        prints the ExpertResult JSON or "declined"
//   node call.mjs --examples <examples.jsonl> <experts-dir> [--expert id]   runs every example, prints totals
//   node call.mjs --abi-check <experts-dir>   metadata, op counts, imports, flat memory over 2000 calls
// Numbers are compared by kind (integer vs float, as serde_json Value equality does) and value; object keys
// inside results must appear in byte order. Exit code 1 when any example fails.
import fs from 'node:fs';
import path from 'node:path';

// ── minimal JSON reader that keeps number text (so 46.0 and 46 stay distinct) and key order ──
function parseJson(text) {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const val = () => { ws(); const st = i; const v = val0(); v.text = text.slice(st, i); return v; };
  const val0 = () => {
    const c = text[i];
    if (c === '{') {
      i++; const keys = [], vals = []; ws();
      if (text[i] === '}') { i++; return { t: 'obj', keys, vals }; }
      for (;;) { ws(); const k = str(); ws(); if (text[i++] !== ':') throw new Error('expected : at ' + i);
        keys.push(k); vals.push(val()); ws();
        if (text[i] === ',') { i++; continue; } if (text[i] === '}') { i++; break; } throw new Error('bad object at ' + i); }
      return { t: 'obj', keys, vals };
    }
    if (c === '[') {
      i++; const items = []; ws();
      if (text[i] === ']') { i++; return { t: 'arr', items }; }
      for (;;) { items.push(val()); ws(); if (text[i] === ',') { i++; continue; } if (text[i] === ']') { i++; break; } throw new Error('bad array at ' + i); }
      return { t: 'arr', items };
    }
    if (c === '"') return { t: 'str', v: str() };
    if (text.startsWith('true', i)) { i += 4; return { t: 'bool', v: true }; }
    if (text.startsWith('false', i)) { i += 5; return { t: 'bool', v: false }; }
    if (text.startsWith('null', i)) { i += 4; return { t: 'null' }; }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) throw new Error('bad value at ' + i + ': ' + text.slice(i, i + 20));
    i += m[0].length;
    return { t: 'num', raw: m[0], isFloat: !!(m[2] || m[3]) };
  };
  const str = () => {
    if (text[i] !== '"') throw new Error('expected string at ' + i);
    let j = i + 1; while (text[j] !== '"') { if (text[j] === '\\') j++; j++; }
    const s = JSON.parse(text.slice(i, j + 1)); i = j + 1; return s;
  };
  const v = val(); ws(); if (i !== text.length) throw new Error('trailing text at ' + i);
  return v;
}
const show = (v) => {
  switch (v.t) {
    case 'obj': return '{' + v.keys.map((k, n) => JSON.stringify(k) + ':' + show(v.vals[n])).join(',') + '}';
    case 'arr': return '[' + v.items.map(show).join(',') + ']';
    case 'str': return JSON.stringify(v.v);
    case 'num': return v.raw;
    case 'bool': return String(v.v);
    default: return 'null';
  }
};
const cmpBytes = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
// returns null when equal, else a reason
function compare(exp, act, tol, where = 'value') {
  if (exp.t !== act.t) return `${where}: expected ${show(exp)}, got ${show(act)}`;
  switch (exp.t) {
    case 'num': {
      if (exp.isFloat !== act.isFloat) return `${where}: expected ${exp.isFloat ? 'float' : 'integer'} ${exp.raw}, got ${act.raw}`;
      if (tol !== undefined) return Math.abs(Number(exp.raw) - Number(act.raw)) <= tol ? null : `${where}: expected ${exp.raw} ±${tol}, got ${act.raw}`;
      if (!exp.isFloat) return BigInt(exp.raw) === BigInt(act.raw) ? null : `${where}: expected ${exp.raw}, got ${act.raw}`;
      return Object.is(Number(exp.raw), Number(act.raw)) ? null : `${where}: expected ${exp.raw}, got ${act.raw}`;
    }
    case 'str': case 'bool': return exp.v === act.v ? null : `${where}: expected ${show(exp)}, got ${show(act)}`;
    case 'null': return null;
    case 'arr':
      if (exp.items.length !== act.items.length) return `${where}: expected ${exp.items.length} items, got ${act.items.length}: ${show(act)}`;
      for (let n = 0; n < exp.items.length; n++) { const r = compare(exp.items[n], act.items[n], tol, `${where}[${n}]`); if (r) return r; }
      return null;
    case 'obj': {
      for (let n = 1; n < act.keys.length; n++)
        if (cmpBytes(act.keys[n - 1], act.keys[n]) >= 0) return `${where}: keys not in byte order: ${act.keys.join(',')}`;
      const ek = [...exp.keys].sort(cmpBytes), ak = [...act.keys].sort(cmpBytes);
      if (ek.join('\u0000') !== ak.join('\u0000')) return `${where}: expected keys ${ek.join(',')}, got ${ak.join(',')}`;
      for (let n = 0; n < exp.keys.length; n++) {
        const r = compare(exp.vals[n], act.vals[act.keys.indexOf(exp.keys[n])], tol, `${where}.${exp.keys[n]}`); if (r) return r;
      }
      return null;
    }
  }
}

// ── the host side of the ABI ──
function wasiStub(getMemory) {
  const nosys = () => 52;
  return new Proxy({
    fd_write: (fd, iovs, iovsLen, nwritten) => {
      const mem = new DataView(getMemory().buffer); let n = 0;
      for (let k = 0; k < iovsLen; k++) {
        const p = mem.getUint32(iovs + 8 * k, true), l = mem.getUint32(iovs + 8 * k + 4, true);
        if (fd === 1 || fd === 2) process.stderr.write(Buffer.from(getMemory().buffer, p, l)); n += l;
      }
      mem.setUint32(nwritten, n, true); return fd === 1 || fd === 2 ? 0 : 8;
    },
    proc_exit: (code) => { throw new Error('proc_exit(' + code + ')'); },
    args_sizes_get: (a, b) => { const m = new DataView(getMemory().buffer); m.setUint32(a, 0, true); m.setUint32(b, 0, true); return 0; },
    environ_sizes_get: (a, b) => { const m = new DataView(getMemory().buffer); m.setUint32(a, 0, true); m.setUint32(b, 0, true); return 0; },
    args_get: () => 0, environ_get: () => 0,
    fd_prestat_get: () => 8, fd_prestat_dir_name: () => 8, fd_fdstat_get: () => 8,
  }, { get: (t, k) => t[k] ?? nosys });
}

export async function loadExpert(file) {
  const module = await WebAssembly.compile(fs.readFileSync(file));
  let memory;
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'wasi_snapshot_preview1') throw new Error(`${file}: unsupported import ${imp.module}.${imp.name}`);
    imports.wasi_snapshot_preview1 ??= wasiStub(() => memory);
  }
  const inst = await WebAssembly.instantiate(module, imports);
  const ex = inst.exports;
  memory = ex.memory;
  for (const name of ['memory', 'larql_alloc', 'larql_dealloc', 'larql_call', 'larql_metadata'])
    if (!ex[name]) throw new Error(`${file}: missing export ${name}`);
  if (ex._initialize) ex._initialize();
  const readCStr = (p) => {
    const bytes = new Uint8Array(memory.buffer);
    let e = p; while (e < bytes.length && bytes[e] !== 0) e++;
    if (e >= bytes.length) throw new Error('result not NUL-terminated');
    const s = Buffer.from(bytes.subarray(p, e)).toString('utf8');
    ex.larql_dealloc(p, e - p + 1);
    return s;
  };
  const put = (buf) => {
    const p = ex.larql_alloc(buf.length) >>> 0;
    if (p === 0) throw new Error('larql_alloc returned 0');
    new Uint8Array(memory.buffer).set(buf, p); return p;
  };
  return {
    memory,
    metadata: () => readCStr(ex.larql_metadata() >>> 0),
    call(op, argsText) {
      const ob = Buffer.from(op, 'utf8'), ab = Buffer.from(argsText, 'utf8');
      const po = put(ob), pa = put(ab);
      const r = ex.larql_call(po, ob.length, pa, ab.length) >>> 0;
      ex.larql_dealloc(po, ob.length); ex.larql_dealloc(pa, ab.length);
      return r === 0 ? null : readCStr(r);
    },
  };
}

async function runExamples(jsonl, dir, only) {
  const experts = new Map();
  let pass = 0, fail = 0;
  const perExpert = new Map();
  const lines = fs.readFileSync(jsonl, 'utf8').split('\n').filter((l) => l.trim());
  for (const [n, line] of lines.entries()) {
    const ex = JSON.parse(line);
    if (only && ex.expert !== only) continue;
    const tree = parseJson(line);
    const expTree = tree.vals[tree.keys.indexOf('expect')];
    if (!experts.has(ex.expert)) experts.set(ex.expert, await loadExpert(path.join(dir, ex.expert, ex.expert + '.wasm')));
    const e = experts.get(ex.expert);
    // the args text is sent exactly as written in the file (JSON.stringify would turn 1.0 into 1)
    const argsText = ex.argsText ?? tree.vals[tree.keys.indexOf('args')].text;
    let reason = null;
    try {
      const r = e.call(ex.op, argsText);
      if (expTree.t === 'str' && expTree.v === 'declined') { if (r !== null) reason = 'expected declined, got ' + r; }
      else if (r === null) reason = 'declined, expected ' + show(expTree);
      else {
        const res = parseJson(r);
        const want = ['value', 'confidence', 'latency_ns', 'expert_id', 'op'];
        if (res.keys.join(',') !== want.join(',')) reason = 'result fields ' + res.keys.join(',');
        else if (show(res.vals[1]) !== '1.0' || show(res.vals[2]) !== '0' || res.vals[3].v !== ex.expert || res.vals[4].v !== ex.op) reason = 'bad envelope ' + r;
        else reason = compare(expTree, res.vals[0], ex.tolerance);
      }
    } catch (err) { reason = 'error: ' + err.message; }
    const c = perExpert.get(ex.expert) ?? { pass: 0, fail: 0 }; perExpert.set(ex.expert, c);
    if (reason) { fail++; c.fail++; console.log(`FAIL line ${n + 1} ${ex.expert}.${ex.op} ${argsText}: ${reason}`); }
    else { pass++; c.pass++; }
  }
  for (const [id, c] of perExpert) console.log(`${id.padEnd(12)} ${c.pass} passed, ${c.fail} failed`);
  console.log(`TOTAL ${pass + fail} examples: ${pass} passed, ${fail} failed`);
  return fail === 0;
}

// --abi-check: every expert's metadata parses, ops are counted, imports listed, and guest memory stays flat over
// 2000 calls (larql's own leak test) for the first op of each expert.
async function abiCheck(dir) {
  let experts = 0, ops = 0, ok = true;
  for (const id of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, id, id + '.wasm');
    if (!fs.existsSync(file)) continue;
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(fs.readFileSync(file)));
    const e = await loadExpert(file);
    const md = JSON.parse(e.metadata());
    if (md.id !== id) { console.log(`FAIL ${id}: metadata id ${md.id}`); ok = false; }
    experts++; ops += md.ops.length;
    const before = e.memory.buffer.byteLength;
    for (let k = 0; k < 2000; k++) e.call(md.ops[0].name, '{"a":1,"b":2,"n":5,"s":"hello","values":[1,2,3],"x":0.5}');
    const after = e.memory.buffer.byteLength;
    if (after !== before) { console.log(`FAIL ${id}: memory grew from ${before} to ${after} bytes over 2000 calls`); ok = false; }
    console.log(`${id.padEnd(12)} tier ${md.tier} ${String(md.ops.length).padStart(2)} ops, ${imports.length} imports, memory ${after / 65536} pages`);
  }
  console.log(`${experts} experts, ${ops} ops`);
  return ok;
}

const argv = import.meta.url === `file://${process.argv[1]}` ? process.argv.slice(2) : null;
if (argv) {
if (argv[0] === '--abi-check') {
  process.exit((await abiCheck(argv[1])) ? 0 : 1);
} else if (argv[0] === '--examples') {
  const oi = argv.indexOf('--expert');
  const ok = await runExamples(argv[1], argv[2], oi >= 0 ? argv[oi + 1] : undefined);
  process.exit(ok ? 0 : 1);
} else if (argv.length >= 2) {
  const e = await loadExpert(argv[0]);
  if (argv[1] === '--metadata') console.log(e.metadata());
  else { const r = e.call(argv[1], argv[2] ?? '{}'); console.log(r ?? 'declined'); }
} else {
  console.error('usage: call.mjs <expert.wasm> (--metadata | <op> [args-json]) | --examples <file.jsonl> <experts-dir> [--expert id] | --abi-check <experts-dir>');
  process.exit(2);
}
}
