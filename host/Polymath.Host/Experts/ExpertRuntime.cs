using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// A runtime as the expert registry sees it: identity, the probe answer for the platform (availability, reason,
/// capabilities), its priority and order from plugins.json, and a lazily created shared engine.
/// </summary>
public sealed class ExpertRuntime : IDisposable
{
    private readonly Func<IWasmEngine>? _engineFactory;
    private readonly Lazy<IWasmEngine>? _engine;
    private readonly HashSet<string> _capabilities;

    /// <summary>Creates a runtime entry.</summary>
    /// <param name="descriptor">Identity.</param>
    /// <param name="probe">The probe's answer for the platform in use.</param>
    /// <param name="priority">Higher wins among otherwise equal runtimes (plugins.json).</param>
    /// <param name="order">Position in plugins.json; breaks ties (lower first).</param>
    /// <param name="engineFactory">Creates the engine; null when the runtime cannot create one.</param>
    public ExpertRuntime(RuntimeDescriptor descriptor, RuntimeProbeResult probe, int priority, int order, Func<IWasmEngine>? engineFactory)
    {
        Descriptor = descriptor ?? throw new ArgumentNullException(nameof(descriptor));
        Probe = probe ?? throw new ArgumentNullException(nameof(probe));
        Priority = priority;
        Order = order;
        _engineFactory = engineFactory;
        if (engineFactory is not null) _engine = new Lazy<IWasmEngine>(engineFactory, LazyThreadSafetyMode.ExecutionAndPublication);
        _capabilities = new HashSet<string>(probe.Capabilities, StringComparer.Ordinal);
    }

    /// <summary>Builds an entry straight from a plugin object (for embedding and tests without plugins.json).</summary>
    public static ExpertRuntime FromPlugin(IRuntimePlugin plugin, PlatformInfo platform, int priority = 0, int order = 0)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        RuntimeProbeResult probe;
        try { probe = plugin.Probe(platform); }
        catch (Exception e) { probe = RuntimeProbeResult.Unavailable($"probe failed: {e.Message}"); }
        return new ExpertRuntime(plugin.Descriptor, probe, priority, order,
            probe.IsAvailable ? () => plugin.CreateEngine(new EngineOptions { Platform = platform }) : null);
    }

    /// <summary>Identity.</summary>
    public RuntimeDescriptor Descriptor { get; }
    /// <summary>The runtime id.</summary>
    public string Id => Descriptor.Id;
    /// <summary>The probe answer.</summary>
    public RuntimeProbeResult Probe { get; }
    /// <summary>Priority (higher wins).</summary>
    public int Priority { get; }
    /// <summary>Order in plugins.json (lower first on ties).</summary>
    public int Order { get; }
    /// <summary>True when it can run experts here.</summary>
    public bool IsAvailable => Probe.IsAvailable && _engineFactory is not null;
    /// <summary>Capabilities provided on this platform.</summary>
    public IReadOnlyList<string> Capabilities => Probe.Capabilities;

    /// <summary>Whether <paramref name="capability"/> is provided.</summary>
    public bool Has(string capability) => _capabilities.Contains(capability);

    /// <summary>The shared engine, created on first use.</summary>
    /// <exception cref="InvalidOperationException">The runtime is unavailable.</exception>
    public IWasmEngine Engine => _engine?.Value ?? throw new InvalidOperationException($"runtime '{Id}' is unavailable: {Probe.Reason}");

    /// <summary>Disposes the engine if it was created.</summary>
    public void Dispose()
    {
        if (_engine is { IsValueCreated: true }) _engine.Value.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>Builds expert runtimes from the host's runtime catalog (plugins.json).</summary>
public static class ExpertRuntimeCatalogExtensions
{
    /// <summary>
    /// One <see cref="ExpertRuntime"/> per plugins.json entry, in the catalog's preference order, with its probe status,
    /// capabilities and priority; available ones create their engine from the catalog on first use.
    /// </summary>
    public static IReadOnlyList<ExpertRuntime> ToExpertRuntimes(this Polymath.Host.Catalog.RuntimeCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var list = new List<ExpertRuntime>();
        int order = 0;
        foreach (var report in catalog.Probe())
        {
            var descriptor = report.Descriptor ?? new RuntimeDescriptor(report.Id, report.Id, "", report.Tier ?? RuntimeTier.Interpreter);
            bool available = report.Status == Polymath.Host.Catalog.RuntimeStatus.Available;
            var probe = available
                ? RuntimeProbeResult.Available(report.Reason, report.Capabilities)
                : RuntimeProbeResult.Unavailable($"{report.StatusName}: {report.Reason}");
            string id = report.Id;
            list.Add(new ExpertRuntime(descriptor, probe, report.Priority, order++, available ? () => catalog.CreateEngine(id) : null));
        }
        return list;
    }
}
