using System.Diagnostics;
using System.Globalization;
using System.Text;
using Wasmtime;

/// <summary>
/// <c>Polymath.Benchmarks.Runner --wasmtime-direct FILE.wasm N REPS [none|epoch|fuel|fuel+epoch]</c>: the same
/// run(n) on Wasmtime called directly through the Wasmtime package (no Polymath code in between), the baseline the
/// Wasmtime plugin is measured against. The configuration is Wasmtime's defaults plus the instrumentation named
/// (default none): epoch = epoch interruption with a deadline never reached, fuel = fuel consumption with a budget
/// never reached. Prints {"checksum":C,"times_ms":[...],"compile_ms":T,"config":"…"}, each time one call's wall time.
/// </summary>
internal static class WasmtimeDirect
{
    public static int Run(string[] args)
    {
        string mode = args.Length == 5 ? args[4] : "none";
        if (args.Length is < 4 or > 5 || mode is not ("none" or "epoch" or "fuel" or "fuel+epoch")
            || !int.TryParse(args[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            || !int.TryParse(args[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out int reps) || reps < 1)
        {
            Console.Error.WriteLine("usage: Polymath.Benchmarks.Runner --wasmtime-direct FILE.wasm N REPS [none|epoch|fuel|fuel+epoch]");
            return 2;
        }
        bool fuel = mode.StartsWith("fuel", StringComparison.Ordinal), epoch = mode.EndsWith("epoch", StringComparison.Ordinal);
        using var config = new Config().WithFuelConsumption(fuel).WithEpochInterruption(epoch);
        using var engine = new Engine(config);
        var sw = Stopwatch.StartNew();
        using var module = Module.FromBytes(engine, "bench", File.ReadAllBytes(args[1]));
        double compileMs = sw.Elapsed.TotalMilliseconds;
        using var store = new Store(engine);
        if (fuel) store.Fuel = long.MaxValue;
        if (epoch) store.SetEpochDeadline(1UL << 62);
        var instance = new Instance(store, module);
        var run = instance.GetFunction<int, int>("run");
        if (run is null)
        {
            Console.Error.WriteLine($"{args[1]} exports no function \"run\" (i32) -> i32");
            return 1;
        }
        var times = new double[reps];
        uint checksum = 0;
        for (int r = 0; r < reps; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            uint c = (uint)run(n);
            times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (r > 0 && c != checksum)
            {
                Console.Error.WriteLine($"checksum changed between runs: {checksum} then {c}");
                return 1;
            }
            checksum = c;
        }
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $"{{\"checksum\":{checksum},\"times_ms\":[");
        for (int r = 0; r < reps; r++) json.Append(CultureInfo.InvariantCulture, $"{(r > 0 ? "," : "")}{times[r]:F4}");
        json.Append(CultureInfo.InvariantCulture, $"],\"compile_ms\":{compileMs:F4},\"config\":\"{mode}\"}}");
        Console.WriteLine(json.ToString());
        return 0;
    }
}
