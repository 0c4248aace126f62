using Polymath.Sdk;

namespace Polymath.Conformance;

/// <summary>
/// Runs spec testsuite files against one runtime plugin: probes the plugin on this platform, creates its engine
/// once, converts each file with <see cref="Wast2Json"/> (cached) and runs it with <see cref="WastRunner"/>.
/// </summary>
public sealed class SpecConformance : IDisposable
{
    private readonly WastRunner _runner;
    private readonly WastRunnerOptions _options;

    private SpecConformance(IRuntimePlugin plugin, RuntimeProbeResult probe, IWasmEngine engine, SpecSuite suite, Wast2Json converter, WastRunnerOptions options)
    {
        Plugin = plugin;
        Probe = probe;
        Engine = engine;
        Suite = suite;
        Converter = converter;
        _options = options;
        _runner = new WastRunner(engine, options);
    }

    /// <summary>The runtime under test.</summary>
    public IRuntimePlugin Plugin { get; }

    /// <summary>What the runtime's probe said on this platform.</summary>
    public RuntimeProbeResult Probe { get; }

    /// <summary>The runtime's engine (shared by every file; each file gets its own store).</summary>
    public IWasmEngine Engine { get; }

    /// <summary>The testsuite.</summary>
    public SpecSuite Suite { get; }

    /// <summary>The converter.</summary>
    public Wast2Json Converter { get; }

    /// <summary>True when the runtime reports 128-bit SIMD support on this platform.</summary>
    public bool SupportsSimd => Probe.Capabilities.Contains(Capabilities.WasmSimd128);

    /// <summary>
    /// Prepares a run: locates the suite (unless given), finds <c>wast2json</c>, probes <paramref name="plugin"/> on the
    /// current platform and creates its engine (with <paramref name="codeCacheDirectory"/> as its compiled-code cache, if given).
    /// </summary>
    /// <exception cref="SpecSetupException">The suite or wast2json is missing, or the runtime is not available here.</exception>
    public static SpecConformance Create(IRuntimePlugin plugin, SpecSuite? suite = null, Wast2Json? converter = null, WastRunnerOptions? options = null,
        string? codeCacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        suite ??= SpecSuite.Locate();
        converter ??= Wast2Json.Create();
        var probe = plugin.Probe(PlatformInfo.Current);
        if (!probe.IsAvailable)
            throw new SpecSetupException($"Runtime '{plugin.Descriptor.Id}' is not available on {PlatformInfo.Current}: {probe.Reason}");
        var engine = plugin.CreateEngine(new EngineOptions { Platform = PlatformInfo.Current, CodeCacheDirectory = codeCacheDirectory });
        return new SpecConformance(plugin, probe, engine, suite, converter, options ?? new WastRunnerOptions());
    }

    /// <summary>
    /// Converts and runs suite file <paramref name="fileName"/> (e.g. <c>i32.wast</c>). A conversion or JSON problem
    /// is recorded as a setup failure of the file, not thrown.
    /// </summary>
    public SpecFileResult RunFile(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var result = new SpecFileResult(fileName, Plugin.Descriptor.Id, _options.MaxFailures);
        WastScript script;
        try
        {
            var json = Converter.Convert(Suite.PathOf(fileName));
            script = WastScript.Load(json, fileName);
        }
        catch (Exception e) when (e is SpecSetupException or FormatException or IOException or UnauthorizedAccessException)
        {
            result.FailSetup(e.Message);
            return result;
        }
        _runner.Run(script, result);
        return result;
    }

    /// <inheritdoc />
    public void Dispose() => Engine.Dispose();
}
