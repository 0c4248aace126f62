using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Host.Logging;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// The embedding API, one object for the experts of one directory: it loads them (<see cref="StartAsync"/>,
/// <see cref="Reload"/>), keeps them live (hot reload when <see cref="ExpertHostOptions.Watch"/> is set), lists them
/// with their manifests (<see cref="Experts"/>, <see cref="Ops"/>, the <c>Expert*</c> events) and answers calls
/// (<see cref="Call(string, ReadOnlySpan{byte}, CancellationToken)"/> and its overloads). Each new or changed package is
/// loaded by the <see cref="ExpertLoader"/> (read + validate → bind → compile → metadata → grants) into an immutable
/// <see cref="OpTable"/> snapshot, swapped atomically on reload; calls in flight finish on the version they started on.
/// Thread-safe. Dispose to stop. It is also an <see cref="IHostedService"/>: <c>services.AddExperts()</c> registers it
/// so a generic host starts and stops it.
/// </summary>
public sealed partial class ExpertHost : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly ExpertHostOptions _options;
    private readonly ILogger _logger;
    private readonly RuntimeEngines _engines = new();
    private readonly ExpertLoader _loader;
    private readonly TierUpCompiler _tierUp; // tier-up: background compiles, cancelled on Dispose
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly int _maxArgsBytes;
    private OpTable _table = OpTable.Empty;
    private ExpertDirectoryWatcher? _watcher;
    private bool _disposed;
    private int _disposedFlag;

    /// <summary>Creates a host with nothing loaded (<see cref="ExpertHostBuilder.Build"/>); <see cref="StartAsync"/> (or <see cref="Reload"/>) loads the directory.</summary>
    /// <param name="options">Directory, grants, limits, watching (checked by <see cref="ExpertHostOptionsValidator"/>).</param>
    /// <param name="runtimes">Runtimes to bind to, as probed for <paramref name="platform"/> (from a <see cref="RuntimeCatalog"/> or <see cref="RuntimeReport.FromPlugin"/>).</param>
    /// <param name="platform">The platform the runtimes were probed for; bindings are explained for it.</param>
    /// <param name="logger">Log.</param>
    /// <param name="output">Where granted guest stdout/stderr goes (default: the log).</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    internal ExpertHost(ExpertHostOptions options, IReadOnlyList<RuntimeReport> runtimes, PlatformInfo platform, ILogger? logger = null, IWasiOutputSink? output = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runtimes);
        ArgumentNullException.ThrowIfNull(platform);
        ExpertHostOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        Runtimes = runtimes;
        Platform = platform;
        Directory = Path.GetFullPath(options.Directory);
        _maxArgsBytes = options.Limits.MaxArgsBytes;
        _tierUp = new TierUpCompiler(_logger);
        _loader = new ExpertLoader(options, runtimes, platform, _engines, _tierUp, output ?? new LoggerWasiSink(_logger), _logger);
    }

    /// <summary>Starts a builder.</summary>
    public static ExpertHostBuilder CreateBuilder() => new();

    /// <summary>The experts directory (full path).</summary>
    public string Directory { get; }

    /// <summary>The platform bindings are made for.</summary>
    public PlatformInfo Platform { get; }

    /// <summary>The runtimes considered for binding.</summary>
    public IReadOnlyList<RuntimeReport> Runtimes { get; }

    /// <summary>An expert was loaded (new, or a new version went live).</summary>
    public event EventHandler<ExpertEventArgs>? ExpertLoaded;
    /// <summary>An expert was removed or replaced; raised when it leaves the op table.</summary>
    public event EventHandler<ExpertEventArgs>? ExpertUnloaded;
    /// <summary>An expert was loaded degraded or unavailable (the message says what it lost and why).</summary>
    public event EventHandler<ExpertEventArgs>? ExpertDegraded;
    /// <summary>A package (or a new version of one) was rejected; the old version, if any, keeps serving.</summary>
    public event EventHandler<ExpertEventArgs>? ExpertRejected;

    /// <summary>
    /// Every expert and every package that failed to load, sorted by tier (unknown last) then id. Each carries the
    /// manifest the host read and verified for the version it serves (<see cref="ExpertInfo.Manifest"/>).
    /// </summary>
    public IReadOnlyList<ExpertInfo> Experts => Volatile.Read(ref _table).ToInfos();

    /// <summary>The op table: op → expert id that serves it.</summary>
    public IReadOnlyDictionary<string, string> Ops =>
        Volatile.Read(ref _table).Ops.ToDictionary(kv => kv.Key, kv => kv.Value.Expert.Id, StringComparer.Ordinal);

    /// <summary>Idle pooled instances of the live version of <paramref name="expertId"/> (diagnostics).</summary>
    public int IdleInstances(string expertId) =>
        Volatile.Read(ref _table).Experts.FirstOrDefault(e => e.Id == expertId)?.IdleInstances ?? 0;

    /// <summary>
    /// Completes when no tier-up compile is queued or running: every expert then runs on its chosen runtime (or stays
    /// where it is with the reason in its listing).
    /// </summary>
    public Task WhenTieredUpAsync(CancellationToken cancellationToken = default) => _tierUp.WhenIdleAsync(cancellationToken);

    /// <summary>The watcher, when hot reload is on and the host is started.</summary>
    public ExpertDirectoryWatcher? Watcher => _watcher;

    /// <summary>Loads the directory and starts watching it (if configured).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (_options.Watch && _watcher is null)
            _watcher = new ExpertDirectoryWatcher(this, _options.DebounceMs, _options.DirectoryCheckMs, _logger);
    }

    /// <summary>Stops watching the directory; loaded experts keep answering until the host is disposed.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _watcher, null)?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Runs every handler of <paramref name="handler"/> on its own: one that throws is logged and the others still run.</summary>
    private void Raise(EventHandler<ExpertEventArgs>? handler, string eventName, ExpertInfo info, string message)
    {
        if (handler is null) return;
        var args = new ExpertEventArgs(info, message);
        foreach (var d in handler.GetInvocationList())
        {
            try { ((EventHandler<ExpertEventArgs>)d)(this, args); }
            catch (Exception e) { Log.RegistryHandlerThrew(_logger, e, eventName); }
        }
    }

    /// <summary>
    /// Stops watching and unloads every expert (instances are released when their last call finishes) and disposes the
    /// engines. A reload in flight is cancelled at its next package and waited for; a later <see cref="Reload"/> throws
    /// <see cref="ObjectDisposedException"/>. Calls after this answer <c>unknown_op</c>.
    /// </summary>
    public void Dispose()
    {
        _watcher?.Dispose();
        if (Interlocked.Exchange(ref _disposedFlag, 1) == 1) return;
        Volatile.Write(ref _disposed, true);
        _disposing.Cancel();
        _reloadLock.Wait();
        try
        {
            _tierUp.Dispose(); // queued compiles cancelled, running ones finish before their engines go
            var s = Interlocked.Exchange(ref _table, OpTable.Empty);
            foreach (var e in s.Experts) e.Release();
            _engines.Dispose();
        }
        finally { _reloadLock.Release(); }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
