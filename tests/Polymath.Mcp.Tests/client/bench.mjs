// tools/call round trip over stdio, measured by the official TypeScript MCP client.
//   node bench.mjs [calls=2000] [warmup=300] -- <command> [args...]
// e.g. node tests/Polymath.Mcp.Tests/client/bench.mjs 2000 300 -- dotnet host/Polymath.Cli/bin/Release/net10.0/polymath.dll mcp --dir experts
// Calls gcd {"a":48,"b":18} sequentially and prints p50/p90/p99/mean in microseconds.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const sep = process.argv.indexOf('--');
if (sep < 0 || sep + 1 >= process.argv.length) { console.error('usage: bench.mjs [calls] [warmup] -- <command> [args...]'); process.exit(2); }
const [calls = 2000, warmup = 300] = process.argv.slice(2, sep).map(Number);
const [command, ...args] = process.argv.slice(sep + 1);

const client = new Client({ name: 'polymath-mcp-bench', version: '1.0.0' }, { capabilities: {} });
await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
const call = async () => {
  const r = await client.callTool({ name: 'gcd', arguments: { a: 48, b: 18 } });
  if (r.isError || r.structuredContent?.value !== 6) throw new Error(`unexpected result ${JSON.stringify(r)}`);
};
for (let i = 0; i < warmup; i++) await call();
const us = [];
for (let i = 0; i < calls; i++) {
  const t = process.hrtime.bigint();
  await call();
  us.push(Number(process.hrtime.bigint() - t) / 1000);
}
us.sort((a, b) => a - b);
const q = (p) => us[Math.min(us.length - 1, Math.floor(p * us.length))];
const mean = us.reduce((a, b) => a + b, 0) / us.length;
console.log(JSON.stringify({ op: 'gcd', calls, warmup, p50_us: +q(0.5).toFixed(1), p90_us: +q(0.9).toFixed(1), p99_us: +q(0.99).toFixed(1), mean_us: +mean.toFixed(1) }));
await client.close();
