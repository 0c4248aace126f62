// Embedding Polymath's expert host in an application.
// Usage: EmbeddingSample [EXPERTS_DIR] [OP] [ARGS_JSON] [--platform RID]
// Lists the experts with their binding, calls one op, and prints load/unload/degrade events.
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;

var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
string? platform = args.SkipWhile(a => a != "--platform").Skip(1).FirstOrDefault();
if (platform is not null) positional.Remove(platform);
string dir = positional.ElementAtOrDefault(0) ?? "experts";
string op = positional.ElementAtOrDefault(1) ?? "gcd";
string json = positional.ElementAtOrDefault(2) ?? """{"a":12,"b":18}""";

await using var host = ExpertHost.CreateBuilder()
    .Configure(o =>
    {
        o.Directory = dir;
        o.Platform = platform;
        o.Watch = false;                       // a long-running app would keep the default (true) for hot reload
        o.Grants["*"] = ["wasi.stdio"];        // let every expert log through the host
        o.Limits = o.Limits with { TimeoutMs = 2000 };
    })
    .AddRuntime(new InterpreterRuntimePlugin())
    .Build();

host.ExpertLoaded += (_, e) => Console.WriteLine($"[loaded]   {e.Message}");
host.ExpertDegraded += (_, e) => Console.WriteLine($"[degraded] {e.Message}");
host.ExpertRejected += (_, e) => Console.WriteLine($"[rejected] {e.Message}");
host.ExpertUnloaded += (_, e) => Console.WriteLine($"[unloaded] {e.Message}");

using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
await host.StartAsync(cts.Token);

Console.WriteLine();
foreach (var e in host.Experts)
    Console.WriteLine($"{e.Id,-14} tier {e.Tier} {e.Status.ToString().ToLowerInvariant(),-11} {e.RuntimeId ?? "-",-12} {e.Ops.Count,3} ops  {e.Reason}");

var result = await host.CallAsync(op, json, cts.Token);
Console.WriteLine();
Console.WriteLine(result.IsResult
    ? $"{op} {json} = {result.Result!.Value.GetRawText()}  (expert {result.ExpertId} on {result.RuntimeId}, {result.LatencyNs} ns)"
    : $"{op} {json}: {result.OutcomeName}: {result.Reason}");
return result.IsResult ? 0 : 1;
