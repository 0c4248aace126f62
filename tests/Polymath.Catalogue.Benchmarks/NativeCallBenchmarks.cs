using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Runtime.Native;
using Polymath.Runtime.Wasmtime;
using Polymath.Sdk;

namespace Polymath.Catalogue.Benchmarks;

/// <summary>
/// One registry call (JSON in and out, routing, ABI) on an expert's native kernel against the same package's WebAssembly
/// module on the interpreter and on Wasmtime. The packages are built with <c>experts/build.sh --native --packages</c>
/// (gcc) in the global setup; <c>native</c> grants every expert its kernel, the others grant none.
/// </summary>
[MemoryDiagnoser]
public class NativeCallBenchmarks
{
    private string _root = "";
    private ExpertHost _host = null!;

    /// <summary>The runtime the calls run on.</summary>
    [Params("native", "wasmtime", "interpreter")]
    public string Runtime { get; set; } = "native";

    /// <summary>Builds the two packages with kernels and starts the host.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("polymath-native-bench-").FullName;
        string packages = Path.Combine(_root, "experts");
        string repo = Path.GetDirectoryName(Repo.Experts)!;
        var psi = new ProcessStartInfo(Path.Combine(repo, "experts", "build.sh"), ["--native", "--packages", packages, "arithmetic", "luhn"]) { WorkingDirectory = repo };
        using (var p = Process.Start(psi)!)
        {
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"experts/build.sh --native --packages exited {p.ExitCode} (is gcc installed?)");
        }
        IRuntimePlugin wasm = Runtime == "wasmtime" ? new WasmtimeRuntimePlugin() : new InterpreterRuntimePlugin();
        _host = ExpertHost.CreateBuilder().Configure(o =>
        {
            o.Directory = packages;
            o.Watch = false;
            o.NativeKernels = Runtime == "native" ? ["*"] : [];
            o.NativeKernelDirectory = Path.Combine(_root, "shadow");
        }).AddRuntime(wasm, 10).AddRuntime(new NativeKernelRuntimePlugin(), 5).Build();
        _host.StartAsync().GetAwaiter().GetResult();
        string expected = Runtime == "native" ? "native" : wasm.Descriptor.Id;
        var r = _host.Call("gcd", """{"a":48,"b":18}""");
        if (!r.IsResult || r.RuntimeId != expected) throw new InvalidOperationException($"gcd ran on {r.RuntimeId} ({r.OutcomeName}: {r.Reason}), expected {expected}");
    }

    /// <summary>Stops the host and deletes the packages.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _host.Dispose();
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    /// <summary><c>gcd {"a":48,"b":18}</c> (arithmetic).</summary>
    [Benchmark]
    public ExpertCallResult Gcd() => _host.Call("gcd", """{"a":48,"b":18}""");

    /// <summary><c>check {"number":"4539578763621486"}</c> (luhn).</summary>
    [Benchmark]
    public ExpertCallResult LuhnCheck() => _host.Call("check", """{"number":"4539578763621486"}""");
}
