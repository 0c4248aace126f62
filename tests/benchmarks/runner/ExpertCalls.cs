using System.Diagnostics;
using System.Globalization;
using System.Text;
using Polymath.Experts;
using Polymath.Sdk;

/// <summary>
/// <c>Polymath.Benchmarks.Runner --expert-calls EXPERT.wasm OP ARGS_JSON CALLS --runtime interpreter|compiler</c>:
/// the per-call cost of the expert ABI (write op and args into guest memory, larql_call, read and free the result)
/// on one runtime. Prints {"runtime":…,"calls":N,"ns_per_call":T,"first_call_ms":T,"result":"…"}: the mean over
/// N calls after one warm-up call, and the warm-up call's own time (CIL emission and JIT for the compiler).
/// </summary>
internal static class ExpertCalls
{
    public static int Run(string[] args, string runtimeId)
    {
        if (args.Length != 5 || !int.TryParse(args[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out int calls) || calls < 1)
        {
            Console.Error.WriteLine("usage: Polymath.Benchmarks.Runner --expert-calls EXPERT.wasm OP ARGS_JSON CALLS [--runtime interpreter|compiler]");
            return 2;
        }
        IRuntimePlugin plugin = runtimeId == "compiler" ? new Polymath.Runtime.Compiler.CompilerRuntimePlugin() : new Polymath.Runtime.Interpreter.InterpreterRuntimePlugin();
        using var engine = plugin.CreateEngine(new EngineOptions());
        var module = engine.Compile(File.ReadAllBytes(args[1]));
        using var instance = ExpertInstance.Create(engine, module, StoreLimits.Default, WasiOptions.Denied);
        byte[] op = Encoding.UTF8.GetBytes(args[2]);
        byte[] json = Encoding.UTF8.GetBytes(args[3]);
        long t0 = Stopwatch.GetTimestamp();
        string? result = instance.Call(op, json, default, 1 << 20);
        double firstMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        if (result is null)
        {
            Console.Error.WriteLine($"{args[1]}: op '{args[2]}' declined");
            return 1;
        }
        t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) instance.Call(op, json, default, 1 << 20);
        double ns = Stopwatch.GetElapsedTime(t0).TotalMilliseconds * 1e6 / calls;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"runtime\":\"{runtimeId}\",\"calls\":{calls},\"ns_per_call\":{ns:F0},\"first_call_ms\":{firstMs:F2},\"result\":{System.Text.Json.JsonSerializer.Serialize(result)}}}"));
        return 0;
    }
}
