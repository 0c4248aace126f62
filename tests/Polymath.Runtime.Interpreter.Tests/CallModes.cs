using Polymath.Sdk;

namespace Polymath.Runtime.Interpreter.Tests;

/// <summary>
/// The call modes the tests run each case in, one per code variant path: "plain" (no fuel, no token: the code without
/// fuel ops), "fuel" (a budget) and "token" (a cancellable token: the fuel ops poll it).
/// </summary>
internal static class CallModes
{
    public static TheoryData<string> All => new() { "plain", "fuel", "token" };

    /// <summary>The options of <paramref name="mode"/> (<paramref name="cts"/> supplies the token).</summary>
    public static CallOptions Options(string mode, CancellationTokenSource cts) => mode switch
    {
        "fuel" => new CallOptions { Fuel = 1_000_000 },
        "token" => new CallOptions { CancellationToken = cts.Token },
        _ => default,
    };

    /// <summary>Calls export <paramref name="name"/> of <paramref name="inst"/> in <paramref name="mode"/>; its first result (or default).</summary>
    public static WasmValue Call(IWasmInstance inst, string mode, string name, params WasmValue[] args)
    {
        var f = inst.GetFunction(name)!;
        var results = new WasmValue[Math.Max(1, f.Type.Results.Length)];
        using var cts = new CancellationTokenSource();
        f.Invoke(args, results, Options(mode, cts));
        return results[0];
    }

    /// <summary>
    /// The bytes 10,000 plain calls of <paramref name="f"/> allocate after 100 warm-up calls (0 in the steady state);
    /// <paramref name="results"/> holds the last call's results.
    /// </summary>
    public static long SteadyStateAllocation(IWasmFunction f, WasmValue argument, Span<WasmValue> results)
    {
        Span<WasmValue> args = [argument];
        for (int i = 0; i < 100; i++) f.Invoke(args, results);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) f.Invoke(args, results);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
