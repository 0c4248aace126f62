namespace Polymath.Sdk;

/// <summary>How a runtime executes code; also the default preference order (jit first).</summary>
public enum RuntimeTier
{
    /// <summary>Compiles to machine code at run time (e.g. Wasmtime/Cranelift).</summary>
    Jit,
    /// <summary>Compiles to another managed form ahead of calls (e.g. WASM→CIL).</summary>
    Compiler,
    /// <summary>Interprets a translated form of the code; runs everywhere .NET runs.</summary>
    Interpreter,
    /// <summary>Runs native kernels (shared libraries implementing the expert ABI).</summary>
    Native,
}

/// <summary>A runtime's identity.</summary>
/// <param name="Id">Stable id, matching its entry in plugins.json (e.g. <c>interpreter</c>).</param>
/// <param name="Name">Human-readable name.</param>
/// <param name="Version">The plugin's version.</param>
/// <param name="Tier">How it executes code.</param>
public sealed record RuntimeDescriptor(string Id, string Name, string Version, RuntimeTier Tier);

/// <summary>A runtime's answer to "can you run here?".</summary>
/// <param name="IsAvailable">True when the runtime can serve on this platform.</param>
/// <param name="Reason">One human line saying why (or why not): e.g. "libwasmtime.so not found".</param>
/// <param name="Capabilities">Capabilities provided on this platform (see <see cref="Sdk.Capabilities"/>); empty when unavailable.</param>
public sealed record RuntimeProbeResult(bool IsAvailable, string Reason, IReadOnlyList<string> Capabilities)
{
    /// <summary>An available result.</summary>
    public static RuntimeProbeResult Available(string reason, IReadOnlyList<string> capabilities) => new(true, reason, capabilities);

    /// <summary>An unavailable result.</summary>
    public static RuntimeProbeResult Unavailable(string reason) => new(false, reason, []);
}

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

/// <summary>Implemented by runtime plugins that run native kernels instead of (or as well as) WebAssembly.</summary>
public interface INativeKernelRuntime
{
    /// <summary>Loads a native kernel (shared library exporting the expert ABI with pointer-sized pointers).</summary>
    INativeKernel LoadKernel(string libraryPath);
}

/// <summary>A loaded native kernel implementing the expert ABI in-process.</summary>
public interface INativeKernel : IDisposable
{
    /// <summary>The kernel's metadata JSON (what <c>larql_metadata</c> returns).</summary>
    string Metadata { get; }

    /// <summary>Runs one op; returns the result JSON, or null when the kernel declined.</summary>
    string? Call(ReadOnlySpan<byte> opUtf8, ReadOnlySpan<byte> argsUtf8);
}

/// <summary>Names the <see cref="IRuntimePlugin"/> implementation of a plugin assembly.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class RuntimePluginAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public RuntimePluginAttribute(Type pluginType) => PluginType = pluginType;

    /// <summary>A public, non-abstract type implementing <see cref="IRuntimePlugin"/> with a public parameterless constructor.</summary>
    public Type PluginType { get; }
}

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
