using Polymath.Sdk;

namespace Polymath.Host.Catalog;

/// <summary>
/// One runtime as the host found it on the selected platform — the single object handed from the catalog (or from a
/// plugin object added in code) all the way to the expert binder: identity (<see cref="Descriptor"/>), status and
/// reason, capabilities, priority and order, and <see cref="CreateEngine"/> for the platform it was probed for.
/// </summary>
public sealed record RuntimeReport
{
    /// <summary>The plugin id from plugins.json (or the plugin's descriptor).</summary>
    public required string Id { get; init; }

    /// <summary>Its status.</summary>
    public required RuntimeStatus Status { get; init; }

    /// <summary>One human line saying why.</summary>
    public required string Reason { get; init; }

    /// <summary>Capabilities provided on this platform (empty unless <see cref="RuntimeStatus.Available"/>).</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>The tier: from the plugin's descriptor when it was loaded, otherwise from plugins.json if declared there.</summary>
    public RuntimeTier? Tier { get; init; }

    /// <summary>The plugin's descriptor, when it was loaded far enough to read it.</summary>
    public RuntimeDescriptor? Descriptor { get; init; }

    /// <summary>Priority (plugins.json, or given in code); higher wins among otherwise equal runtimes.</summary>
    public int Priority { get; init; }

    /// <summary>Position in preference order among runtimes of equal priority (plugins.json order); lower first.</summary>
    public int Order { get; init; }

    /// <summary>The resolved assembly path (empty for a plugin object added in code).</summary>
    public string AssemblyPath { get; init; } = "";

    /// <summary>
    /// Creates an engine for the platform this runtime was probed for; set by whoever probed it (the catalog, or
    /// <see cref="FromPlugin"/>). Null when the runtime cannot create engines.
    /// </summary>
    public Func<IWasmEngine>? EngineFactory { get; init; }

    /// <summary>
    /// Loads a native kernel (a shared library exporting the expert ABI) on this runtime; set by whoever probed it when
    /// the available plugin implements <see cref="INativeKernelRuntime"/>, else null.
    /// </summary>
    public Func<string, INativeKernel>? KernelLoader { get; init; }

    /// <summary>The lower-case status name used in the probe JSON (available, unsupported, unavailable, failed).</summary>
    public string StatusName => Status.ToString().ToLowerInvariant();

    /// <summary>A name for messages: the descriptor's name, else the id.</summary>
    public string Name => Descriptor?.Name ?? Id;

    /// <summary>True when it can run modules here (available and able to create engines).</summary>
    public bool IsAvailable => Status == RuntimeStatus.Available && EngineFactory is not null;

    /// <summary>Whether <paramref name="capability"/> is provided on this platform.</summary>
    public bool Has(string capability)
    {
        foreach (var c in Capabilities)
            if (string.Equals(c, capability, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>Creates an engine; the caller owns (and disposes) it, and must release it before the plugin can be unloaded.</summary>
    /// <exception cref="RuntimeNotAvailableException">The runtime is not available.</exception>
    public IWasmEngine CreateEngine() =>
        IsAvailable ? EngineFactory!() : throw new RuntimeNotAvailableException($"runtime '{Id}' is {StatusName}: {Reason}");

    /// <summary>
    /// Probes a plugin object for <paramref name="platform"/> (for embedding and tests without plugins.json): a
    /// throwing probe is <see cref="RuntimeStatus.Failed"/>, a declining one <see cref="RuntimeStatus.Unavailable"/>.
    /// </summary>
    public static RuntimeReport FromPlugin(IRuntimePlugin plugin, PlatformInfo platform, int priority = 0, int order = 0)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(platform);
        var descriptor = plugin.Descriptor;
        RuntimeProbeResult? probe;
        try { probe = plugin.Probe(platform); }
        catch (Exception e) { return Make(RuntimeStatus.Failed, $"probe failed: {e.Message}", []); }
        if (probe is null) return Make(RuntimeStatus.Failed, "probe returned null", []);
        return probe.IsAvailable
            ? Make(RuntimeStatus.Available, probe.Reason, probe.Capabilities) with
            {
                // A native-kernel-only runtime (no wasm.core) creates no engines: it is never "available" for a module.
                EngineFactory = probe.Capabilities.Contains(Polymath.Sdk.Capabilities.WasmCore) || plugin is not INativeKernelRuntime
                    ? () => plugin.CreateEngine(new EngineOptions { Platform = platform }) : null,
                KernelLoader = plugin is INativeKernelRuntime kernels ? kernels.LoadKernel : null,
            }
            : Make(RuntimeStatus.Unavailable, probe.Reason, []);

        RuntimeReport Make(RuntimeStatus status, string reason, IReadOnlyList<string> capabilities) => new()
        {
            Id = descriptor.Id, Status = status, Reason = reason, Capabilities = capabilities, Tier = descriptor.Tier,
            Descriptor = descriptor, Priority = priority, Order = order,
        };
    }
}
