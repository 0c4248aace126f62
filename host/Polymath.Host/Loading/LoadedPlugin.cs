using System.Reflection;
using System.Runtime.CompilerServices;
using Polymath.Host.Manifest;
using Polymath.Sdk;

namespace Polymath.Host.Loading;

/// <summary>A runtime plugin loaded into its own <see cref="PluginLoadContext"/>.</summary>
public sealed class LoadedPlugin
{
    internal LoadedPlugin(PluginEntry entry, PluginLoadContext context, IRuntimePlugin plugin, RuntimeDescriptor descriptor)
    {
        Entry = entry;
        Context = context;
        Plugin = plugin;
        Descriptor = descriptor;
    }

    /// <summary>The plugins.json entry.</summary>
    public PluginEntry Entry { get; }

    /// <summary>The plugin's load context.</summary>
    public PluginLoadContext Context { get; private set; }

    /// <summary>The plugin instance (created inside <see cref="Context"/>).</summary>
    public IRuntimePlugin Plugin { get; private set; }

    /// <summary>The plugin's descriptor, read once at load.</summary>
    public RuntimeDescriptor Descriptor { get; }

    /// <summary>
    /// Starts unloading: drops this object's references to the plugin and its context and calls
    /// <see cref="System.Runtime.Loader.AssemblyLoadContext.Unload"/>. Returns a weak reference to the context,
    /// to be checked with <see cref="PluginLoader.WaitForCollection"/>. The plugin must not be used afterwards.
    /// A precompiled plugin's context is not collectible (<see cref="PluginLoadContext.IsPrecompiled"/>): only the
    /// references are dropped, and its code stays loaded until the process exits.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public WeakReference Unload()
    {
        var context = Context;
        var weak = new WeakReference(context, trackResurrection: false);
        Plugin = null!;
        Context = null!;
        if (context.IsCollectible) context.Unload();
        return weak;
    }
}
