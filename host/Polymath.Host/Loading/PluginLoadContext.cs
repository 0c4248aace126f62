using System.Reflection;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Polymath.Host.Loading;

/// <summary>
/// The load context of one runtime plugin (collectible unless the plugin is precompiled) (host/RATIONALE.md):
/// <list type="bullet">
/// <item>contract assemblies named in <see cref="SharedAssemblies"/> come from the host's context, so the
/// plugin's <c>IRuntimePlugin</c> is the host's <c>IRuntimePlugin</c>;</item>
/// <item>every other dependency is resolved from the plugin's deps.json by an <see cref="AssemblyDependencyResolver"/>
/// and loaded into this context, so two plugins can use different versions of one library;</item>
/// <item>managed assemblies are loaded from bytes (with their pdb), so the files are not locked and can be replaced;
/// except a ReadyToRun plugin (<see cref="IsPrecompiled"/>: a publish or the tool package), whose files are mapped into a
/// non-collectible context, because the runtime runs precompiled code only from mapped files in such a context;</item>
/// <item>native libraries resolve through deps.json (<c>runtimes/&lt;rid&gt;/native</c>), then by the usual
/// prefixes and suffixes in the plugin folder and its <c>runtimes/&lt;rid&gt;/native</c> folders; they are freed on unload.</item>
/// </list>
/// </summary>
public sealed class PluginLoadContext : AssemblyLoadContext
{
    /// <summary>Assemblies always shared from the host's context: the contracts and the logging abstractions.</summary>
    public static IReadOnlySet<string> DefaultSharedAssemblies { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Polymath.Sdk",
        "Polymath.Wasm",
        "Microsoft.Extensions.Logging.Abstractions",
    };

    private readonly AssemblyDependencyResolver? _resolver;
    private readonly string _pluginDirectory;
    private readonly string _runtimeIdentifier;
    private readonly Lock _nativeLock = new();
    private readonly List<(string Path, IntPtr Handle)> _nativeHandles = [];

    /// <summary>Creates the context for the plugin whose main assembly is <paramref name="mainAssemblyPath"/>.</summary>
    /// <param name="name">The context's name (shown in diagnostics), e.g. <c>polymath-plugin:interpreter</c>.</param>
    /// <param name="mainAssemblyPath">Full path of the plugin's main assembly; its deps.json sits beside it.</param>
    /// <param name="sharedAssemblies">Assembly simple names taken from the host's context; defaults to <see cref="DefaultSharedAssemblies"/>.</param>
    public PluginLoadContext(string name, string mainAssemblyPath, IReadOnlySet<string>? sharedAssemblies = null)
        : base(name, isCollectible: !IsReadyToRun(mainAssemblyPath))
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mainAssemblyPath);
        MainAssemblyPath = Path.GetFullPath(mainAssemblyPath);
        IsPrecompiled = !IsCollectible;
        _pluginDirectory = Path.GetDirectoryName(MainAssemblyPath)!;
        _runtimeIdentifier = Sdk.PlatformInfo.Current.RuntimeIdentifier;
        SharedAssemblies = sharedAssemblies ?? DefaultSharedAssemblies;
        try
        {
            _resolver = new AssemblyDependencyResolver(MainAssemblyPath);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // No deps.json, or a single-file host where the resolver is not supported:
            // fall back to probing the plugin's folder (see ProbeFolder below).
            ResolverError = e.Message;
        }
        Unloading += static context => ((PluginLoadContext)context).FreeNativeLibraries();
    }

    /// <summary>Full path of the plugin's main assembly.</summary>
    public string MainAssemblyPath { get; }

    /// <summary>
    /// True when the plugin's main assembly carries ReadyToRun code: its assemblies are then loaded from their files
    /// into this context, which is not collectible, so that their precompiled code runs instead of being JIT-compiled.
    /// The runtime ignores ReadyToRun code in assemblies loaded from bytes and in collectible contexts. Such a plugin comes
    /// from a publish or the tool package, replaced as a whole like the host's own files, never rebuilt in place; it stays
    /// loaded until the process exits (<see cref="LoadedPlugin.Unload"/> only drops the host's references).
    /// </summary>
    public bool IsPrecompiled { get; }

    /// <summary>Simple names of the assemblies shared from the host's context.</summary>
    public IReadOnlySet<string> SharedAssemblies { get; }

    /// <summary>Why the deps.json resolver could not be created (the context then probes the plugin folder only), or null.</summary>
    public string? ResolverError { get; }

    /// <summary>Native libraries this context has loaded and will free on unload.</summary>
    public IReadOnlyList<string> LoadedNativeLibraries
    {
        get
        {
            lock (_nativeLock)
                return _nativeHandles.Select(h => h.Path).ToArray();
        }
    }

    /// <summary>Loads the plugin's main assembly (from bytes, or from its file when <see cref="IsPrecompiled"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="BadImageFormatException">The file is not a managed assembly.</exception>
    public Assembly LoadMainAssembly() => LoadPluginAssembly(MainAssemblyPath);

    /// <summary>
    /// True when <paramref name="assemblyPath"/> is a managed assembly with ReadyToRun code (a CLI header with a managed
    /// native header). False for anything else, including a file that cannot be read: the loader then reports that.
    /// </summary>
    public static bool IsReadyToRun(string assemblyPath)
    {
        try
        {
            using var stream = File.OpenRead(assemblyPath);
            using var reader = new PEReader(stream);
            return reader.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }

    private Assembly LoadPluginAssembly(string path) => IsPrecompiled ? LoadFromAssemblyPath(path) : LoadFromBytes(path);

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } simpleName && SharedAssemblies.Contains(simpleName))
            return Default.LoadFromAssemblyName(assemblyName);

        var path = _resolver?.ResolveAssemblyToPath(assemblyName) ?? ProbeFolder(assemblyName);
        if (path is not null)
            return LoadPluginAssembly(path);

        // Not the plugin's: let the default context supply it (framework assemblies).
        return null;
    }

    /// <summary>
    /// Resolves a native library the plugin's code asks for (P/Invoke or <see cref="NativeLibrary"/> calls): deps.json
    /// first, then <see cref="FindNativeLibrary"/> for the real process's RID. Loaded libraries are freed on unload.
    /// </summary>
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = FindNativeLibrary(unmanagedDllName, _runtimeIdentifier);
        if (path is null)
            return IntPtr.Zero; // the runtime's default probing (system folders) applies

        var handle = LoadUnmanagedDllFromPath(path);
        lock (_nativeLock)
            _nativeHandles.Add((path, handle));
        return handle;
    }

    /// <summary>
    /// Searches for a native library as the platform <paramref name="runtimeIdentifier"/> would need it:
    /// in <c>runtimes/&lt;rid&gt;/native</c> for the RID and its less specific fallbacks, then (for the process's own RID
    /// only) in the plugin folder,
    /// trying the name as given and with the usual prefix (<c>lib</c>) and suffixes (<c>.so</c>, <c>.dylib</c>, <c>.dll</c>).
    /// </summary>
    /// <returns>The full path, or null.</returns>
    public string? FindNativeLibrary(string name, string runtimeIdentifier)
    {
        if (runtimeIdentifier == _runtimeIdentifier && _resolver?.ResolveUnmanagedDllToPath(name) is { } fromDeps)
            return fromDeps;
        foreach (var folder in NativeSearchFolders(runtimeIdentifier))
        {
            if (!Directory.Exists(folder))
                continue;
            foreach (var candidate in NativeLibraryNames.Candidates(name, runtimeIdentifier))
            {
                var path = Path.Combine(folder, candidate);
                if (File.Exists(path))
                    return path;
            }
        }
        return null;
    }

    /// <summary>The folders <see cref="FindNativeLibrary"/> searches, most specific first.</summary>
    public IEnumerable<string> NativeSearchFolders(string runtimeIdentifier)
    {
        foreach (var rid in NativeLibraryNames.RidFallbacks(runtimeIdentifier))
            yield return Path.Combine(_pluginDirectory, "runtimes", rid, "native");
        // A library in the plugin's own folder was built for the machine it is deployed on: it counts for the
        // process's real RID only, not for a simulated platform of another RID.
        if (string.Equals(runtimeIdentifier, _runtimeIdentifier, StringComparison.OrdinalIgnoreCase))
            yield return _pluginDirectory;
    }

    private string? ProbeFolder(AssemblyName assemblyName)
    {
        if (_resolver is not null || assemblyName.Name is null)
            return null;
        var path = Path.Combine(_pluginDirectory, assemblyName.Name + ".dll");
        return File.Exists(path) ? path : null;
    }

    private Assembly LoadFromBytes(string path)
    {
        // Read into memory so the file is never mapped or locked: a plugin can be rebuilt or
        // replaced while the host runs. The pdb comes along so stack traces keep file/line.
        var image = File.ReadAllBytes(path);
        var pdbPath = Path.ChangeExtension(path, ".pdb");
        using var assemblyStream = new MemoryStream(image, writable: false);
        if (File.Exists(pdbPath))
        {
            using var pdbStream = new MemoryStream(File.ReadAllBytes(pdbPath), writable: false);
            return LoadFromStream(assemblyStream, pdbStream);
        }
        return LoadFromStream(assemblyStream);
    }

    private void FreeNativeLibraries()
    {
        (string Path, IntPtr Handle)[] handles;
        lock (_nativeLock)
        {
            handles = [.. _nativeHandles];
            _nativeHandles.Clear();
        }
        foreach (var (_, handle) in handles)
            NativeLibrary.Free(handle);
    }
}
