// Drives silos of a `polymath serve --cluster` cluster over their Unix sockets with vscode-jsonrpc (the JSON-RPC
// library of VS Code's language servers; nobody on the project wrote it): TOTAL gcd calls spread round-robin over the
// sockets, WINDOW of them in flight per socket. Every answer is checked (gcd(a, 3a) = a).
// Usage: node load.js TOTAL WINDOW SOCKET...
// Prints {"progress":N} every 500 answers (RedisClusterProcessTests kills a silo on one of them), then one summary
// line {"done","failed","mismatched","errors","seconds","callsPerSecond","p50Us","p99Us"}.
'use strict';
const net = require('net');
const rpc = require('vscode-jsonrpc/node');

async function connect(path) {
  const socket = net.createConnection(path);
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const connection = rpc.createMessageConnection(new rpc.SocketMessageReader(socket), new rpc.SocketMessageWriter(socket));
  connection.listen();
  return { socket, connection };
}

async function main() {
  const total = Number(process.argv[2]);
  const window = Number(process.argv[3]);
  const paths = process.argv.slice(4);
  if (!(total > 0) || !(window > 0) || paths.length === 0) throw new Error('usage: node load.js TOTAL WINDOW SOCKET...');
  const clients = await Promise.all(paths.map(connect));
  let next = 0, done = 0, failed = 0, mismatched = 0;
  const errors = [];
  const latencies = new Float64Array(total);
  const started = process.hrtime.bigint();

  async function worker(client) {
    for (;;) {
      const k = next++;
      if (k >= total) return;
      const a = 1000 + k, b = 3 * a;
      const t0 = process.hrtime.bigint();
      try {
        const r = await client.connection.sendRequest('call', { op: 'gcd', args: { a, b } });
        latencies[k] = Number(process.hrtime.bigint() - t0) / 1000;
        if (r.outcome !== 'result') { failed++; if (errors.length < 5) errors.push(JSON.stringify(r)); }
        else if (r.value !== a) mismatched++;
      } catch (e) {
        failed++;
        if (errors.length < 5) errors.push(String(e && e.message || e));
      }
      if (++done % 500 === 0) process.stdout.write(JSON.stringify({ progress: done }) + '\n');
    }
  }

  const workers = [];
  for (const c of clients) for (let i = 0; i < window; i++) workers.push(worker(c));
  await Promise.all(workers);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Array.from(latencies).sort((x, y) => x - y);
  const at = q => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  process.stdout.write(JSON.stringify({
    done, failed, mismatched, errors, seconds,
    callsPerSecond: Math.round(done / seconds), p50Us: Math.round(at(0.5)), p99Us: Math.round(at(0.99)),
  }) + '\n');
  for (const c of clients) { c.connection.dispose(); c.socket.end(); }
}

main().catch(e => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
