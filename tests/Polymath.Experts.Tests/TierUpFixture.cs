using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Experts.Tests;

/// <summary>
/// What the tier-up tests share: an experts directory and a cache directory, the registries they create (disposed at
/// the end) and the gated plugins, whose gates are opened first so a failed assertion never leaves a background compile
/// — and the disposal waiting for it — blocked.
/// </summary>
public abstract class TierUpFixture : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly List<GatedPlugin> _gated = [];

    /// <summary>The experts directory.</summary>
    protected TempDir Dir { get; } = new();

    /// <summary>A scratch directory for code and metadata caches.</summary>
    protected TempDir Cache { get; } = new();

    /// <summary>Disposes <paramref name="registry"/> with the test.</summary>
    protected ExpertHost Own(ExpertHost registry)
    {
        _owned.Add(registry);
        return registry;
    }

    /// <summary><paramref name="inner"/> behind a gate, closed unless <paramref name="open"/>.</summary>
    protected GatedPlugin Gated(IRuntimePlugin inner, bool open = false, string? codeCache = null)
    {
        var plugin = new GatedPlugin(inner, codeCache);
        if (!open) plugin.Gate.Reset();
        _gated.Add(plugin);
        return plugin;
    }

    public void Dispose()
    {
        foreach (var g in _gated) g.Gate.Set();
        foreach (var d in _owned) d.Dispose();
        Dir.Dispose();
        Cache.Dispose();
        GC.SuppressFinalize(this);
    }
}
