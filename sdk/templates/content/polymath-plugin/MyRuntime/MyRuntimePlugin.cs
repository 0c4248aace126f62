using Polymath.Runtime.Interpreter;
using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(MyRuntime.MyRuntimePlugin))]

namespace MyRuntime;

/// <summary>
/// The runtime plugin: its <see cref="Descriptor"/> id must equal the plugins.json entry's id. It starts as a wrapper of
/// the managed interpreter (Polymath.Runtime.Interpreter), so it runs experts and passes the spec conformance tests
/// (MyRuntime.Tests) from the first build; replace <see cref="CreateEngine"/> with your engine and keep the tests green.
/// </summary>
public sealed class MyRuntimePlugin : IRuntimePlugin
{
    private readonly InterpreterRuntimePlugin _inner = new();

    /// <inheritdoc />
    public RuntimeDescriptor Descriptor { get; } =
        new("myruntime", "MyRuntime", typeof(MyRuntimePlugin).Assembly.GetName().Version?.ToString() ?? "0.1.0", RuntimeTier.Interpreter);

    /// <summary>
    /// Says whether the runtime can serve on <paramref name="platform"/> (possibly simulated) and with which
    /// capabilities; cheap, and never throws for an ordinary "no" (return <see cref="RuntimeProbeResult.Unavailable"/>).
    /// </summary>
    public RuntimeProbeResult Probe(PlatformInfo platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var inner = _inner.Probe(platform);
        return inner.IsAvailable ? RuntimeProbeResult.Available($"MyRuntime (wrapping: {inner.Reason})", inner.Capabilities) : inner;
    }

    /// <summary>Creates an engine: compiles modules and creates stores. Replace with your own implementation.</summary>
    public IWasmEngine CreateEngine(EngineOptions options) => _inner.CreateEngine(options);
}
