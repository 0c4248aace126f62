namespace Polymath.Sdk;

/// <summary>
/// A small base for <see cref="IRuntimePlugin"/> implementations: the descriptor (versioned by the plugin's assembly)
/// and the capability list are stated once in the constructor; a plugin writes only its probe and its engine.
/// </summary>
public abstract class RuntimePlugin : IRuntimePlugin
{
    /// <summary>Describes the plugin.</summary>
    /// <param name="id">Stable id, matching its entry in plugins.json.</param>
    /// <param name="name">Human-readable name.</param>
    /// <param name="tier">How it executes code.</param>
    /// <param name="capabilities">What it provides wherever its probe says available (<see cref="Capabilities"/>).</param>
    protected RuntimePlugin(string id, string name, RuntimeTier tier, IEnumerable<string> capabilities)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(capabilities);
        Descriptor = new RuntimeDescriptor(id, name, GetType().Assembly.GetName().Version?.ToString() ?? "0.1.0", tier);
        ProvidedCapabilities = [.. capabilities];
    }

    /// <inheritdoc />
    public RuntimeDescriptor Descriptor { get; }

    /// <summary>The capabilities given in the constructor, for <see cref="RuntimeProbeResult.Available"/>.</summary>
    protected IReadOnlyList<string> ProvidedCapabilities { get; }

    /// <inheritdoc />
    public abstract RuntimeProbeResult Probe(PlatformInfo platform);

    /// <inheritdoc />
    public abstract IWasmEngine CreateEngine(EngineOptions options);

    /// <summary>Available on this platform with <see cref="ProvidedCapabilities"/>, for the reason given.</summary>
    protected RuntimeProbeResult Available(string reason) => RuntimeProbeResult.Available(reason, ProvidedCapabilities);
}
