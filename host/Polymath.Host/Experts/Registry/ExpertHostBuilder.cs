using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// Builds an <see cref="ExpertHost"/>: options (from code and/or the <c>Experts</c> configuration section), the runtimes
/// to bind to, logging and WASI output.
/// </summary>
public sealed class ExpertHostBuilder
{
    private ExpertHostOptions _options = new();
    private readonly List<Action<ExpertHostOptions>> _configure = [];
    private readonly List<Func<PlatformInfo, IEnumerable<RuntimeReport>>> _runtimeSources = [];
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private IWasiOutputSink? _output;
    private PlatformInfo? _catalogPlatform;
    private string? _catalogCodeCache;

    /// <summary>
    /// Binds the <c>Experts</c> section of <paramref name="configuration"/> onto the options (the same configuration the
    /// CLI and service read; generated binding code, no reflection). Keys that are not set keep their values.
    /// </summary>
    public ExpertHostBuilder UseConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.GetSection(ExpertHostOptions.SectionName).Bind(_options);
        return this;
    }

    /// <summary>
    /// Uses the options instance of the options pattern (e.g. <c>IOptions&lt;ExpertHostOptions&gt;</c> from DI, bound by
    /// <c>AddExperts</c>) instead of a fresh one; <see cref="Configure"/> actions still apply on top.
    /// </summary>
    public ExpertHostBuilder UseOptions(IOptions<ExpertHostOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        return this;
    }

    /// <summary>Adjusts options in code (applied after configuration).</summary>
    public ExpertHostBuilder Configure(Action<ExpertHostOptions> configure)
    {
        _configure.Add(configure ?? throw new ArgumentNullException(nameof(configure)));
        return this;
    }

    /// <summary>Adds a runtime plugin object (probed for the configured platform). Later additions break priority ties last.</summary>
    public ExpertHostBuilder AddRuntime(IRuntimePlugin plugin, int priority = 0)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        int order = _runtimeSources.Count;
        _runtimeSources.Add(platform => [RuntimeReport.FromPlugin(plugin, platform, priority, order)]);
        return this;
    }

    /// <summary>Adds runtimes from another source, probed for the platform it is given (the one the host binds for).</summary>
    public ExpertHostBuilder AddRuntimes(Func<PlatformInfo, IEnumerable<RuntimeReport>> source)
    {
        _runtimeSources.Add(source ?? throw new ArgumentNullException(nameof(source)));
        return this;
    }

    /// <summary>
    /// Binds to the runtimes of the host's catalog (plugins.json) and to the catalog's platform (which wins over
    /// <see cref="ExpertHostOptions.Platform"/>). The catalog stays owned by the caller.
    /// </summary>
    public ExpertHostBuilder UseRuntimeCatalog(Polymath.Host.Catalog.RuntimeCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalogPlatform = catalog.Platform;
        _catalogCodeCache = catalog.CodeCacheDirectory;
        _runtimeSources.Add(_ => catalog.Probe());
        return this;
    }

    /// <summary>Logs through <paramref name="loggerFactory"/>.</summary>
    public ExpertHostBuilder UseLoggerFactory(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
        return this;
    }

    /// <summary>Sends granted guest stdout/stderr to <paramref name="sink"/> instead of the log.</summary>
    public ExpertHostBuilder UseWasiOutput(IWasiOutputSink sink)
    {
        _output = sink ?? throw new ArgumentNullException(nameof(sink));
        return this;
    }

    /// <summary>Validates the options, resolves the platform (once: the catalog's, else <see cref="ExpertHostOptions.Platform"/>, else this process) and creates the host (nothing is loaded until <see cref="ExpertHost.StartAsync"/>).</summary>
    /// <exception cref="OptionsValidationException">An option is invalid; each failure names its key.</exception>
    public ExpertHost Build()
    {
        foreach (var c in _configure) c(_options);
        ExpertHostOptionsValidator.ThrowIfInvalid(_options);
        // The metadata cache lives beside the catalog's compiled-code cache unless configured (ExpertHostOptions).
        if (_options.MetadataCacheDirectory is null && _catalogCodeCache is not null)
            _options.MetadataCacheDirectory = MetadataCacheBeside(_catalogCodeCache);
        var platform = _catalogPlatform ?? (_options.Platform is null ? PlatformInfo.Current : PlatformInfo.FromRuntimeIdentifier(_options.Platform));
        var runtimes = _runtimeSources.SelectMany(s => s(platform)).ToList();
        var logger = _loggerFactory.CreateLogger("Polymath.Experts");
        return new ExpertHost(_options, runtimes, platform, logger, _output);
    }

    /// <summary><c>…/polymath/metadata</c> beside a code cache folder named <c>code</c>, else a <c>metadata</c> folder inside it.</summary>
    internal static string MetadataCacheBeside(string codeCacheDirectory)
    {
        string code = Path.TrimEndingDirectorySeparator(Path.GetFullPath(codeCacheDirectory));
        return Path.GetFileName(code) == "code" && Path.GetDirectoryName(code) is { } parent
            ? Path.Combine(parent, "metadata")
            : Path.Combine(code, "metadata");
    }
}
