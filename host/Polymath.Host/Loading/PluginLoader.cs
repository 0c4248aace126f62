using System.Reflection;
using System.Runtime.CompilerServices;
using Polymath.Host.Manifest;
using Polymath.Sdk;

namespace Polymath.Host.Loading;

/// <summary>Loads runtime plugins into isolated load contexts (collectible unless the plugin is precompiled).</summary>
public static class PluginLoader
{
    /// <summary>
    /// Loads the plugin of <paramref name="entry"/> into a new <see cref="PluginLoadContext"/>, creates its
    /// <see cref="IRuntimePlugin"/> and checks its descriptor against the entry. On any failure the context is unloaded.
    /// </summary>
    /// <exception cref="PluginLoadException">The plugin cannot be loaded; the message says why in one line.</exception>
    public static LoadedPlugin Load(PluginEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var path = entry.AssemblyFullPath;
        if (!File.Exists(path))
            throw new PluginLoadException($"assembly not found: {path}");

        var context = new PluginLoadContext($"polymath-plugin:{entry.Id}", path);
        try
        {
            return LoadInto(entry, context);
        }
        catch
        {
            if (context.IsCollectible) context.Unload();
            throw;
        }
    }

    private static LoadedPlugin LoadInto(PluginEntry entry, PluginLoadContext context)
    {
        Assembly assembly;
        try
        {
            assembly = context.LoadMainAssembly();
        }
        catch (BadImageFormatException e)
        {
            throw new PluginLoadException($"not a valid .NET assembly: {entry.AssemblyFullPath} ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PluginLoadException($"cannot read {entry.AssemblyFullPath}: {e.Message}", e);
        }

        RuntimePluginAttribute? attribute;
        try
        {
            attribute = assembly.GetCustomAttribute<RuntimePluginAttribute>();
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException or BadImageFormatException)
        {
            throw new PluginLoadException($"cannot read the assembly's attributes: {e.Message}", e);
        }
        if (attribute is null)
        {
            var foreign = assembly.GetCustomAttributesData().Any(a => a.AttributeType.FullName == typeof(RuntimePluginAttribute).FullName);
            throw new PluginLoadException(foreign
                ? $"{assembly.GetName().Name} has a RuntimePlugin attribute from a different Polymath.Sdk than the host's; the SDK must be shared"
                : $"{assembly.GetName().Name} has no [assembly: RuntimePlugin(typeof(...))] attribute naming its IRuntimePlugin type");
        }

        var type = attribute.PluginType;
        if (type is null || !typeof(IRuntimePlugin).IsAssignableFrom(type))
            throw new PluginLoadException($"{type?.FullName ?? "null"} named by [RuntimePlugin] does not implement {typeof(IRuntimePlugin).FullName}");
        if (type.IsAbstract || type.IsInterface || type.ContainsGenericParameters)
            throw new PluginLoadException($"{type.FullName} named by [RuntimePlugin] must be a concrete, non-generic class");
        if (type.GetConstructor(Type.EmptyTypes) is not { IsPublic: true })
            throw new PluginLoadException($"{type.FullName} needs a public parameterless constructor");

        IRuntimePlugin plugin;
        try
        {
            plugin = (IRuntimePlugin)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new PluginLoadException($"{type.FullName}'s constructor threw {e.InnerException.GetType().Name}: {e.InnerException.Message}", e.InnerException);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException or MissingMethodException)
        {
            throw new PluginLoadException($"cannot create {type.FullName}: {e.Message}", e);
        }

        RuntimeDescriptor descriptor;
        try
        {
            descriptor = plugin.Descriptor ?? throw new PluginLoadException($"{type.FullName}.Descriptor returned null");
        }
        catch (Exception e) when (e is not PluginLoadException)
        {
            throw new PluginLoadException($"{type.FullName}.Descriptor threw {e.GetType().Name}: {e.Message}", e);
        }

        if (!string.Equals(descriptor.Id, entry.Id, StringComparison.Ordinal))
            throw new PluginLoadException($"the plugin's descriptor id '{descriptor.Id}' does not match the plugins.json id '{entry.Id}'");
        if (entry.Tier is { } declaredTier && declaredTier != descriptor.Tier)
            throw new PluginLoadException($"the plugin's tier '{descriptor.Tier.ToName()}' does not match the plugins.json tier '{declaredTier.ToName()}'");

        // The host keeps the descriptor after unload: copy it so the plugin's own object is not retained.
        var copy = new RuntimeDescriptor(descriptor.Id, descriptor.Name ?? descriptor.Id, descriptor.Version ?? "", descriptor.Tier);
        return new LoadedPlugin(entry, context, plugin, copy);
    }

    /// <summary>
    /// Waits until the load context behind <paramref name="context"/> has been collected, forcing at most
    /// <paramref name="maxPasses"/> full garbage collections. Returns the number of passes it took, or -1 when the
    /// context is still alive (something still references the plugin's objects).
    /// </summary>
    public static int WaitForCollection(WeakReference context, int maxPasses = 10)
    {
        ArgumentNullException.ThrowIfNull(context);
        for (int pass = 0; pass <= maxPasses; pass++)
        {
            if (!context.IsAlive)
                return pass;
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return context.IsAlive ? -1 : maxPasses;
    }
}
