namespace Polymath.Sdk;

/// <summary>
/// The entry point of a runtime plugin. A plugin assembly names its implementation with
/// <see cref="RuntimePluginAttribute"/>; the host creates it with its public parameterless constructor
/// inside the plugin's own load context, calls <see cref="Probe"/>, and only then <see cref="CreateEngine"/>.
/// </summary>
public interface IRuntimePlugin
{
    /// <summary>Identity of this runtime.</summary>
    RuntimeDescriptor Descriptor { get; }

    /// <summary>
    /// Decides whether this runtime can run on <paramref name="platform"/> (which may be simulated) and
    /// which capabilities it provides there. Must be cheap and must not throw for an ordinary "no".
    /// </summary>
    RuntimeProbeResult Probe(PlatformInfo platform);

    /// <summary>Creates an engine. Only called after <see cref="Probe"/> said available.</summary>
    IWasmEngine CreateEngine(EngineOptions options);
}
