// A real MCP client for Polymath.Mcp.Tests, on the official TypeScript SDK (not Polymath code).
//   node client.mjs stdio <command> [args...]     spawn `polymath mcp` and talk MCP over its stdin/stdout
//   node client.mjs http <url> [token]           connect to `polymath mcp --http` (streamable HTTP)
// After initialize it prints one JSON line {"ready":true,...}; then it reads one JSON command per line on stdin and
// answers each with one JSON line on stdout:
//   {"cmd":"list"}                          -> {"tools":[...], "schemaErrors":[{name, errors}]}  (ajv, JSON Schema 2020-12)
//   {"cmd":"call","name":N,"args":{...}}    -> {"result": CallToolResult} or {"error": message} (a protocol error)
//       (or "nameCodes":[UTF-16 code units] instead of name, "argsJson":"JSON text" instead of args)
//   {"cmd":"check","name":N,"args":{...}}   -> {"valid": bool, "errors": [...]}  (ajv against the listed inputSchema)
//   {"cmd":"waitListChanged","after":K,"timeoutMs":T} -> {"count": n} once more than K notifications arrived (or at timeout)
//   {"cmd":"close"}                         -> {"closed":true} and exit
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import Ajv2020 from 'ajv/dist/2020.js';
import readline from 'node:readline';

const [mode, target, ...rest] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

let transport;
if (mode === 'stdio') {
  transport = new StdioClientTransport({ command: target, args: rest, stderr: 'inherit', env: process.env });
} else if (mode === 'http') {
  const headers = rest[0] ? { Authorization: `Bearer ${rest[0]}` } : {};
  transport = new StreamableHTTPClientTransport(new URL(target), { requestInit: { headers } });
} else {
  console.error('usage: client.mjs stdio <command> [args...] | http <url> [token]');
  process.exit(2);
}

const client = new Client({ name: 'polymath-mcp-tests', version: '1.0.0' }, { capabilities: {} });
let listChanged = 0;
const waiters = [];
client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
  listChanged++;
  for (const w of waiters.splice(0)) w();
});

const ajv = new Ajv2020({ allErrors: true, strictTuples: false });
let tools = new Map();

try {
  await client.connect(transport);
} catch (e) {
  out({ ready: false, error: String(e?.message ?? e) });
  process.exit(1);
}
out({ ready: true, serverInfo: client.getServerVersion(), capabilities: client.getServerCapabilities(), instructions: client.getInstructions() });

async function handle(cmd) {
  switch (cmd.cmd) {
    case 'list': {
      const all = [];
      let cursor;
      do {
        const page = await client.listTools(cursor ? { cursor } : {});
        all.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      tools = new Map(all.map((t) => [t.name, t]));
      const schemaErrors = [];
      for (const t of all) {
        if (!ajv.validateSchema(t.inputSchema)) { schemaErrors.push({ name: t.name, errors: ajv.errors }); continue; }
        try { ajv.compile(t.inputSchema); } catch (e) { schemaErrors.push({ name: t.name, errors: [String(e.message)] }); }
      }
      return { tools: all, schemaErrors };
    }
    case 'call':
      // nameCodes / argsJson carry what a C# JSON writer cannot: lone UTF-16 surrogates (JSON.stringify escapes them).
      try {
        const name = cmd.nameCodes ? String.fromCharCode(...cmd.nameCodes) : cmd.name;
        const args = cmd.argsJson !== undefined ? JSON.parse(cmd.argsJson) : (cmd.args ?? {});
        return { result: await client.callTool({ name, arguments: args }) };
      }
      catch (e) { return { error: String(e?.message ?? e), code: e?.code }; }
    case 'check': {
      const t = tools.get(cmd.name);
      if (!t) return { valid: false, errors: [`no tool ${cmd.name} in the last list`] };
      const validate = ajv.compile(t.inputSchema);
      const valid = validate(cmd.args ?? {});
      return { valid, errors: validate.errors ?? [] };
    }
    case 'waitListChanged': {
      const deadline = Date.now() + (cmd.timeoutMs ?? 10000);
      while (listChanged <= (cmd.after ?? 0) && Date.now() < deadline)
        await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, 100); });
      return { count: listChanged };
    }
    case 'close':
      await client.close();
      return { closed: true };
    default:
      return { error: `unknown command ${cmd.cmd}` };
  }
}

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  let cmd;
  try { cmd = JSON.parse(line); } catch (e) { out({ error: `bad command: ${e.message}` }); continue; }
  out(await handle(cmd));
  if (cmd.cmd === 'close') process.exit(0);
}
await client.close();
