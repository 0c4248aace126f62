using Polymath.Runtime.Compiler;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;

namespace Polymath.Benchmarks;

/// <summary>Locates the benchmark modules copied beside the assembly and creates engines.</summary>
internal static class WasmFiles
{
    /// <summary>Reads wasm/<paramref name="name"/> from the output folder, failing loudly when it is missing.</summary>
    public static byte[] Read(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "wasm", name);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Benchmark module '{name}' not found at {path} (it is copied there by the build).", path);
        return File.ReadAllBytes(path);
    }

    /// <summary>Creates an engine of the managed interpreter runtime.</summary>
    public static IWasmEngine CreateInterpreterEngine()
    {
        var plugin = new InterpreterRuntimePlugin();
        var probe = plugin.Probe(PlatformInfo.Current);
        if (!probe.IsAvailable)
            throw new InvalidOperationException($"The interpreter runtime is not available here: {probe.Reason}");
        return plugin.CreateEngine(new EngineOptions());
    }

    /// <summary>Creates an engine of the named managed runtime: "interpreter" or "compiler".</summary>
    public static IWasmEngine CreateEngine(string runtime)
    {
        IRuntimePlugin plugin = runtime switch
        {
            "interpreter" => new InterpreterRuntimePlugin(),
            "compiler" => new CompilerRuntimePlugin(),
            _ => throw new ArgumentException($"unknown runtime '{runtime}' (interpreter or compiler)", nameof(runtime)),
        };
        var probe = plugin.Probe(PlatformInfo.Current);
        if (!probe.IsAvailable)
            throw new InvalidOperationException($"The {runtime} runtime is not available here: {probe.Reason}");
        return plugin.CreateEngine(new EngineOptions());
    }

    /// <summary>Generous limits so the benchmark programs (up to 130 pages) fit.</summary>
    public static StoreLimits Limits { get; } = new() { MaxMemoryPages = 1024 };
}
