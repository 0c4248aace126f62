// Calls a running `polymath serve` over its Unix socket with vscode-jsonrpc (the JSON-RPC library of VS Code's
// language servers): pipelined calls, health, an unknown method, and cancellation through $/cancelRequest.
// Usage: node client.js SOCKET_PATH  -> prints one JSON object with what it saw.
'use strict';
const net = require('net');
const rpc = require('vscode-jsonrpc/node');

async function main() {
  const socket = net.createConnection(process.argv[2]);
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const connection = rpc.createMessageConnection(new rpc.SocketMessageReader(socket), new rpc.SocketMessageWriter(socket));
  connection.listen();
  const out = {};

  const calls = [];
  for (let i = 1; i <= 200; i++) calls.push(connection.sendRequest('call', { op: 'gcd', args: { a: 6 * i, b: 4 * i } }));
  const results = await Promise.all(calls);
  out.calls = results.length;
  out.allCorrect = results.every((r, k) => r.outcome === 'result' && r.value === 2 * (k + 1) && r.expert_id === 'arithmetic');

  out.health = (await connection.sendRequest('health')).status;

  try { await connection.sendRequest('no.such.method', {}); out.unknownMethod = 'no error'; }
  catch (e) { out.unknownMethod = e.code; }

  const source = new rpc.CancellationTokenSource();
  const slow = connection.sendRequest('call', { op: 'sloop', args: {} }, source.token);
  setTimeout(() => source.cancel(), 200);
  try { const r = await slow; out.cancelled = 'completed: ' + JSON.stringify(r); }
  catch (e) { out.cancelled = e.code; }

  out.afterCancel = (await connection.sendRequest('call', { op: 'gcd', args: { a: 9, b: 6 } })).value;
  process.stdout.write(JSON.stringify(out) + '\n');
  connection.dispose();
  socket.end();
}

main().catch(e => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
