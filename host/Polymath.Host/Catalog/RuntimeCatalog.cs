using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Host.Loading;
using Polymath.Host.Logging;
using Polymath.Host.Manifest;
using Polymath.Host.Platform;
using Polymath.Sdk;

namespace Polymath.Host.Catalog;

/// <summary>
/// The runtime plugins of one plugins.json on one (real or simulated) platform. <see cref="Probe"/> runs the
/// two-stage selection once: the declarative check of plugins.json (a plugin that fails it is
/// <see cref="RuntimeStatus.Unsupported"/> and never opened), then loading into its own load context and the
/// plugin's own probe. Available plugins stay loaded and serve <see cref="CreateEngine"/>; the others are unloaded.
/// Thread-safe.
/// </summary>
public sealed class RuntimeCatalog : IDisposable
{
    private readonly ILogger _logger;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly int _unloadGcPasses;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LoadedPlugin> _loaded = new(StringComparer.Ordinal);
    private IReadOnlyList<RuntimeReport>? _reports;
    private bool _disposed;

    /// <summary>Creates a catalog over <paramref name="manifest"/> for <paramref name="platform"/>. Nothing is loaded until <see cref="Probe"/>.</summary>
    /// <param name="manifest">The plugins.json.</param>
    /// <param name="platform">The selected platform.</param>
    /// <param name="loggerFactory">Where the catalog and the engines it creates log.</param>
    /// <param name="unloadGcPasses">Garbage collections an unload waits for.</param>
    /// <param name="codeCacheDirectory">The compiled-code cache handed to every engine (<see cref="EngineOptions.CodeCacheDirectory"/>); null = none.</param>
    public RuntimeCatalog(PluginManifest manifest, PlatformSelection platform, ILoggerFactory? loggerFactory = null, int unloadGcPasses = 10, string? codeCacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentOutOfRangeException.ThrowIfNegative(unloadGcPasses);
        Manifest = manifest;
        Selection = platform;
        _unloadGcPasses = unloadGcPasses;
        _loggerFactory = loggerFactory;
        CodeCacheDirectory = codeCacheDirectory;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RuntimeCatalog>();
    }

    /// <summary>The compiled-code cache every engine of this catalog gets (null = none).</summary>
    public string? CodeCacheDirectory { get; }

    /// <summary>
    /// Creates a catalog from options, reading plugins.json and resolving the platform with the precedence documented on
    /// <see cref="PolymathHostOptions"/> (explicit option, then environment variable, then configuration key).
    /// </summary>
    /// <exception cref="PluginManifestException">plugins.json is missing or malformed.</exception>
    /// <exception cref="PlatformOverrideException">A platform override is not valid.</exception>
    public static RuntimeCatalog Create(PolymathHostOptions options, IConfiguration? configuration = null, ILoggerFactory? loggerFactory = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        environment ??= Environment.GetEnvironmentVariable;
        var pluginsFile = ResolvePluginsFile(options, configuration, environment);
        var manifest = PluginManifestReader.Load(pluginsFile);
        var platform = PlatformResolver.Resolve(options.Platform, options.NoDynamicCode, configuration, environment, options.PlatformSource ?? "--platform", options.DynamicCodeSource);
        return new RuntimeCatalog(manifest, platform, loggerFactory, options.UnloadGcPasses, ResolveCodeCacheDirectory(options, configuration, environment));
    }

    /// <summary>
    /// The compiled-code cache the options select: explicit, then <c>POLYMATH_CODE_CACHE</c>, then
    /// <c>Polymath:CodeCacheDirectory</c>, then the default; <c>off</c> at the first level that names one gives null.
    /// </summary>
    public static string? ResolveCodeCacheDirectory(PolymathHostOptions options, IConfiguration? configuration = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        environment ??= Environment.GetEnvironmentVariable;
        string? chosen = !string.IsNullOrWhiteSpace(options.CodeCacheDirectory) ? options.CodeCacheDirectory
            : environment(PolymathHostOptions.CodeCacheVariable) is { } env && !string.IsNullOrWhiteSpace(env) ? env
            : configuration?[PolymathHostOptions.CodeCacheKey] is { } cfg && !string.IsNullOrWhiteSpace(cfg) ? cfg
            : PolymathHostOptions.DefaultCodeCacheDirectory;
        return string.Equals(chosen, "off", StringComparison.OrdinalIgnoreCase) ? null : Path.GetFullPath(chosen);
    }

    /// <summary>The plugins.json path the options select: explicit, then <c>POLYMATH_PLUGINS</c>, then <c>Polymath:PluginsFile</c>, then the default.</summary>
    public static string ResolvePluginsFile(PolymathHostOptions options, IConfiguration? configuration = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        environment ??= Environment.GetEnvironmentVariable;
        if (!string.IsNullOrWhiteSpace(options.PluginsFile)) return options.PluginsFile;
        if (environment(PolymathHostOptions.PluginsFileVariable) is { } env && !string.IsNullOrWhiteSpace(env)) return env;
        if (configuration?[PolymathHostOptions.PluginsFileKey] is { } cfg && !string.IsNullOrWhiteSpace(cfg)) return cfg;
        return PolymathHostOptions.DefaultPluginsFile;
    }

    /// <summary>The plugins.json this catalog was built from.</summary>
    public PluginManifest Manifest { get; }

    /// <summary>The selected platform and where it came from.</summary>
    public PlatformSelection Selection { get; }

    /// <summary>The selected platform.</summary>
    public PlatformInfo Platform => Selection.Platform;

    /// <summary>
    /// Selects the plugins (first call only; later calls return the same reports) and returns one report per
    /// plugins.json entry, in preference order: higher priority first, ties in file order.
    /// </summary>
    public IReadOnlyList<RuntimeReport> Probe()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_reports is not null)
                return _reports;

            Log.SelectingPlugins(_logger, Manifest.FilePath, Platform.ToString(), Selection.Source);
            var reports = new List<RuntimeReport>(Manifest.Plugins.Count);
            foreach (var entry in Manifest.Plugins.OrderByDescending(e => e.Priority).ThenBy(e => e.Index))
            {
                var report = Select(entry) with { Order = reports.Count };
                // The same object carries the engine factory to the binder; the plugin is looked up by id on each
                // creation so that unloading it drops every reference the host holds.
                string id = entry.Id;
                reports.Add(report.Status == RuntimeStatus.Available ? report with
                {
                    // A native-kernel-only runtime (no wasm.core) creates no engines: it is never "available" for a module.
                    EngineFactory = report.Capabilities.Contains(Capabilities.WasmCore) || !IsKernelRuntime(id) ? () => CreateEngine(id) : null,
                    KernelLoader = IsKernelRuntime(id) ? path => LoadKernel(id, path) : null,
                } : report);
            }
            _reports = reports;
            return _reports;
        }
    }

    /// <summary>The report of plugin <paramref name="runtimeId"/>, or null when plugins.json has no such id.</summary>
    public RuntimeReport? GetReport(string runtimeId) =>
        Probe().FirstOrDefault(r => string.Equals(r.Id, runtimeId, StringComparison.Ordinal));

    /// <summary>
    /// Creates an engine from runtime <paramref name="runtimeId"/>, or from the preferred available runtime when it is null.
    /// The caller owns (and disposes) the engine; it must be released before the plugin can be unloaded.
    /// </summary>
    /// <exception cref="RuntimeNotAvailableException">The runtime is unknown or not available, or none is available.</exception>
    public IWasmEngine CreateEngine(string? runtimeId = null, EngineOptions? options = null)
    {
        var plugin = Find(runtimeId);
        Log.CreatingEngine(_logger, plugin.Entry.Id);
        options ??= new EngineOptions();
        options.Platform = Platform;
        options.CodeCacheDirectory ??= CodeCacheDirectory;
        options.LoggerFactory ??= _loggerFactory;
        return plugin.Plugin.CreateEngine(options);
    }

    /// <summary>
    /// The code listing of runtime <paramref name="runtimeId"/> (<c>polymath inspect</c>): the loaded plugin as an
    /// <see cref="ICodeListing"/>, or null when that plugin lists no code.
    /// </summary>
    /// <exception cref="RuntimeNotAvailableException">The runtime is unknown or not available.</exception>
    public ICodeListing? GetCodeListing(string runtimeId)
    {
        ArgumentNullException.ThrowIfNull(runtimeId);
        return Find(runtimeId).Plugin as ICodeListing;
    }

    // The loaded plugin of runtimeId, or of the preferred available runtime when it is null.
    private LoadedPlugin Find(string? runtimeId)
    {
        var reports = Probe();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (runtimeId is null)
            {
                var first = reports.FirstOrDefault(r => r.Status == RuntimeStatus.Available && _loaded.ContainsKey(r.Id))
                    ?? throw new RuntimeNotAvailableException(
                        $"no runtime is available on {Platform.RuntimeIdentifier}: " +
                        (reports.Count == 0 ? $"{Manifest.FilePath} lists no plugins" : string.Join("; ", reports.Select(r => $"{r.Id} is {r.StatusName} ({r.Reason})"))));
                return _loaded[first.Id];
            }
            if (_loaded.TryGetValue(runtimeId, out var plugin)) return plugin;
            var report = reports.FirstOrDefault(r => string.Equals(r.Id, runtimeId, StringComparison.Ordinal));
            throw new RuntimeNotAvailableException(report is null
                ? $"no runtime '{runtimeId}' in {Manifest.FilePath} (known: {string.Join(", ", reports.Select(r => r.Id))})"
                : report.Status == RuntimeStatus.Available
                    ? $"runtime '{runtimeId}' has been unloaded"
                    : $"runtime '{runtimeId}' is {report.StatusName}: {report.Reason}");
        }
    }

    private bool IsKernelRuntime(string runtimeId) => _loaded.TryGetValue(runtimeId, out var plugin) && plugin.Plugin is INativeKernelRuntime;

    /// <summary>Loads a native kernel on runtime <paramref name="runtimeId"/>, a loaded plugin implementing <see cref="INativeKernelRuntime"/>.</summary>
    /// <exception cref="RuntimeNotAvailableException">The runtime is not loaded or does not load native kernels.</exception>
    public INativeKernel LoadKernel(string runtimeId, string libraryPath)
    {
        LoadedPlugin? plugin;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _loaded.TryGetValue(runtimeId, out plugin);
        }
        if (plugin?.Plugin is not INativeKernelRuntime kernels)
            throw new RuntimeNotAvailableException(plugin is null ? $"runtime '{runtimeId}' is not loaded" : $"runtime '{runtimeId}' does not load native kernels");
        return kernels.LoadKernel(libraryPath);
    }

    /// <summary>The load context of a loaded (available) plugin, for diagnostics and tests; null when not loaded.</summary>
    public PluginLoadContext? GetLoadContext(string runtimeId)
    {
        lock (_lock)
            return _loaded.TryGetValue(runtimeId, out var plugin) ? plugin.Context : null;
    }

    /// <summary>
    /// Unloads runtime <paramref name="runtimeId"/> and verifies that its load context is collected (bounded GC loop).
    /// Returns true when it was collected, false when something still holds the plugin's objects or it was not loaded.
    /// Engines created from it must have been released first.
    /// </summary>
    public bool Unload(string runtimeId)
    {
        LoadedPlugin? plugin;
        lock (_lock)
        {
            if (!_loaded.Remove(runtimeId, out plugin))
                return false;
        }
        return UnloadAndVerify(plugin);
    }

    /// <summary>Unloads every loaded plugin.</summary>
    public void Dispose()
    {
        List<LoadedPlugin> plugins;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            plugins = [.. _loaded.Values];
            _loaded.Clear();
        }
        foreach (var plugin in plugins)
            UnloadAndVerify(plugin, waitForCollection: false);
    }

    private bool UnloadAndVerify(LoadedPlugin plugin, bool waitForCollection = true)
    {
        var id = plugin.Entry.Id;
        bool collectible = plugin.Context.IsCollectible;
        var weak = plugin.Unload();
        if (!collectible)
        {
            Log.PluginKeptPrecompiled(_logger, id);
            return true;
        }
        if (!waitForCollection)
            return true;
        var passes = PluginLoader.WaitForCollection(weak, _unloadGcPasses);
        if (passes < 0)
        {
            Log.PluginNotCollected(_logger, id, _unloadGcPasses);
            return false;
        }
        Log.PluginUnloaded(_logger, id, true, passes);
        return true;
    }

    private RuntimeReport Select(PluginEntry entry)
    {
        // Stage 1: declarative. The assembly is not touched.
        if (entry.Platforms.Check(Platform) is { } unsupported)
        {
            Log.PluginUnsupported(_logger, entry.Id, unsupported);
            return Report(entry, RuntimeStatus.Unsupported, unsupported, null);
        }

        // Stage 2: load into its own context, check declared native libraries, ask the plugin.
        Log.LoadingPlugin(_logger, entry.Id, entry.AssemblyFullPath);
        LoadedPlugin plugin;
        try
        {
            plugin = PluginLoader.Load(entry);
        }
        catch (PluginLoadException e)
        {
            Log.PluginFailed(_logger, entry.Id, e.Message, e.InnerException);
            return Report(entry, RuntimeStatus.Failed, e.Message, null);
        }

        var (report, keep) = ProbeLoaded(plugin);
        if (keep)
            _loaded[entry.Id] = plugin;
        else
            UnloadAndVerify(plugin, waitForCollection: false);
        return report;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private (RuntimeReport Report, bool Keep) ProbeLoaded(LoadedPlugin plugin)
    {
        var entry = plugin.Entry;
        var descriptor = plugin.Descriptor;

        var pluginFolder = Path.GetDirectoryName(entry.AssemblyFullPath)!;
        foreach (var library in entry.NativeLibraries)
        {
            if (plugin.Context.FindNativeLibrary(library, Platform.RuntimeIdentifier) is null)
            {
                var names = string.Join(", ", NativeLibraryNames.Candidates(library, Platform.RuntimeIdentifier));
                var reason = $"native library '{library}' not found for {Platform.RuntimeIdentifier} " +
                             $"(looked for {names} in {string.Join(", ", plugin.Context.NativeSearchFolders(Platform.RuntimeIdentifier).Select(f => Path.GetRelativePath(pluginFolder, f)))} " +
                             $"under {pluginFolder})";
                Log.PluginUnavailable(_logger, entry.Id, reason);
                return (Report(entry, RuntimeStatus.Unavailable, reason, descriptor), false);
            }
        }

        RuntimeProbeResult? result;
        try
        {
            result = plugin.Plugin.Probe(Platform);
        }
        catch (Exception e)
        {
            var reason = $"probe threw {e.GetType().Name}: {e.Message}";
            Log.PluginFailed(_logger, entry.Id, reason, e);
            return (Report(entry, RuntimeStatus.Failed, reason, descriptor), false);
        }

        if (result is null)
        {
            const string reason = "probe returned null";
            Log.PluginFailed(_logger, entry.Id, reason, null);
            return (Report(entry, RuntimeStatus.Failed, reason, descriptor), false);
        }

        var text = string.IsNullOrWhiteSpace(result.Reason) ? (result.IsAvailable ? "available" : "the plugin's probe declined without a reason") : result.Reason;
        if (!result.IsAvailable)
        {
            Log.PluginUnavailable(_logger, entry.Id, text);
            return (Report(entry, RuntimeStatus.Unavailable, text, descriptor), false);
        }

        var capabilities = result.Capabilities?.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => new string(c.AsSpan())).Distinct(StringComparer.Ordinal).ToArray() ?? [];
        Log.PluginAvailable(_logger, entry.Id, text);
        return (Report(entry, RuntimeStatus.Available, text, descriptor) with { Capabilities = capabilities }, true);
    }

    private static RuntimeReport Report(PluginEntry entry, RuntimeStatus status, string reason, RuntimeDescriptor? descriptor) => new()
    {
        Id = entry.Id,
        Status = status,
        Reason = reason,
        Tier = descriptor?.Tier ?? entry.Tier,
        Descriptor = descriptor,
        Priority = entry.Priority,
        AssemblyPath = entry.AssemblyFullPath,
    };
}
