namespace Polymath.Sdk;

/// <summary>Options for an engine.</summary>
public sealed class EngineOptions
{
    /// <summary>The platform the engine runs on (real or simulated).</summary>
    public PlatformInfo Platform { get; set; } = PlatformInfo.Current;

    /// <summary>
    /// A directory the host owns where a runtime may keep compiled machine code between processes (e.g. serialized
    /// Wasmtime modules); null (the default) = no cache. Runtimes only ever read code from this directory, never from
    /// an expert package, and must verify and discard entries they cannot trust.
    /// </summary>
    public string? CodeCacheDirectory { get; set; }

    /// <summary>Where the engine logs (cache misses, discarded cache entries…); null = no logging.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }
}
