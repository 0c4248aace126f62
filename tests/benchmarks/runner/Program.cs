// Runner for compare.sh: compiles and instantiates a benchmark .wasm with the managed interpreter runtime
// (or, with --runtime compiler, the WebAssembly-to-CIL compiler runtime; --runtime wasmtime, Wasmtime) and times its
// exported run(n).
// usage: Polymath.Benchmarks.Runner FILE.wasm N REPS [--count-instructions] [--runtime interpreter|compiler|wasmtime]
//        Polymath.Benchmarks.Runner --wasmtime-direct FILE.wasm N REPS [none|epoch|fuel|fuel+epoch]   (WasmtimeDirect.cs)
// For the compiler, "first_call_ms" is the first call's wall time (CIL emission and JIT compilation included).
// POLYMATH_CODE_CACHE=DIR hands the engine a compiled-code cache (EngineOptions.CodeCacheDirectory), as the host does.
// prints one JSON line {"checksum":C,"times_ms":[...],"compile_ms":T,"instantiate_ms":T}: each time is
// the wall time (Stopwatch) of one run(n) call, excluding process start, compilation and instantiation.
// --count-instructions makes one more, fuel-metered call (not timed) and adds "instructions": the fuel
// it consumed, i.e. the number of wasm instructions executed under the interpreter's fuel rule, and
// "fuel_call_ms", that call's wall time (the cost of metering).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;

string runtimeId = "interpreter";
int runtimeAt = Array.IndexOf(args, "--runtime");
if (runtimeAt >= 0 && runtimeAt + 1 < args.Length)
{
    runtimeId = args[runtimeAt + 1];
    args = [.. args[..runtimeAt], .. args[(runtimeAt + 2)..]];
}
if (args.Length > 0 && args[0] == "--expert-calls") return ExpertCalls.Run(args, runtimeId);
if (args.Length > 0 && args[0] == "--wasmtime-direct") return WasmtimeDirect.Run(args);
bool countInstructions = args.Length == 4 && args[3] == "--count-instructions";
if ((args.Length != 3 && !countInstructions) || runtimeId is not ("interpreter" or "compiler" or "wasmtime")
    || !int.TryParse(args[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
    || !int.TryParse(args[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int reps)
    || reps < 1)
{
    Console.Error.WriteLine("usage: Polymath.Benchmarks.Runner FILE.wasm N REPS [--count-instructions] [--runtime interpreter|compiler|wasmtime] (REPS >= 1)");
    return 2;
}

try
{
    byte[] wasm = File.ReadAllBytes(args[0]);
    IRuntimePlugin plugin = runtimeId switch
    {
        "compiler" => new Polymath.Runtime.Compiler.CompilerRuntimePlugin(),
        "wasmtime" => new Polymath.Runtime.Wasmtime.WasmtimeRuntimePlugin(),
        _ => new InterpreterRuntimePlugin(),
    };
    var probe = plugin.Probe(PlatformInfo.Current);
    if (!probe.IsAvailable)
    {
        Console.Error.WriteLine($"{runtimeId} runtime unavailable: {probe.Reason}");
        return 1;
    }
    using var engine = plugin.CreateEngine(new EngineOptions { CodeCacheDirectory = Environment.GetEnvironmentVariable("POLYMATH_CODE_CACHE") });

    var sw = Stopwatch.StartNew();
    var module = engine.Compile(wasm);
    double compileMs = sw.Elapsed.TotalMilliseconds;

    using var store = engine.CreateStore(new StoreLimits { MaxMemoryPages = 1024 });
    sw.Restart();
    // Wasmtime compiles fuel metering into the code of a store whose first instantiation sets a budget (and only
    // then), so the counting call needs one here; the timed calls then run metered too.
    var instance = store.Instantiate(module, [], countInstructions ? new CallOptions { Fuel = ulong.MaxValue } : default);
    double instantiateMs = sw.Elapsed.TotalMilliseconds;

    var run = instance.GetFunction("run");
    if (run is null)
    {
        Console.Error.WriteLine($"{args[0]} exports no function \"run\"");
        return 1;
    }

    WasmValue[] arguments = [WasmValue.I32(n)];
    var result = new WasmValue[1];
    var times = new double[reps];
    uint checksum = 0;
    double firstCallMs = 0;
    if (runtimeId == "compiler")
    {
        long t0 = Stopwatch.GetTimestamp();
        run.Invoke(arguments, result);
        firstCallMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }
    for (int r = 0; r < reps; r++)
    {
        long t0 = Stopwatch.GetTimestamp();
        run.Invoke(arguments, result);
        times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        uint c = (uint)result[0].AsI32;
        if (r > 0 && c != checksum)
        {
            Console.Error.WriteLine($"checksum changed between runs: {checksum} then {c}");
            return 1;
        }
        checksum = c;
    }

    ulong? instructions = null;
    double fuelCallMs = 0;
    if (countInstructions)
    {
        long t0 = Stopwatch.GetTimestamp();
        run.Invoke(arguments, result, new CallOptions { Fuel = ulong.MaxValue });
        fuelCallMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        if ((uint)result[0].AsI32 != checksum)
        {
            Console.Error.WriteLine($"checksum changed under fuel metering: {checksum} then {(uint)result[0].AsI32}");
            return 1;
        }
        instructions = store.LastCallFuelConsumed;
    }

    var json = new StringBuilder();
    json.Append(CultureInfo.InvariantCulture, $"{{\"checksum\":{checksum},\"times_ms\":[");
    for (int r = 0; r < reps; r++)
        json.Append(CultureInfo.InvariantCulture, $"{(r > 0 ? "," : "")}{times[r]:F4}");
    json.Append(CultureInfo.InvariantCulture, $"],\"compile_ms\":{compileMs:F4},\"instantiate_ms\":{instantiateMs:F4},\"wasm_bytes\":{wasm.Length}");
    if (runtimeId == "compiler")
        json.Append(CultureInfo.InvariantCulture, $",\"first_call_ms\":{firstCallMs:F4}");
    if (instructions is { } count)
        json.Append(CultureInfo.InvariantCulture, $",\"instructions\":{count},\"fuel_call_ms\":{fuelCallMs:F4}");
    json.Append('}');
    Console.WriteLine(json.ToString());
    return 0;
}
catch (Exception e) when (e is WasmTrapException or Polymath.Wasm.WasmModuleException or WasmLinkException or IOException)
{
    Console.Error.WriteLine($"{args[0]}: {e.Message}");
    return 1;
}
