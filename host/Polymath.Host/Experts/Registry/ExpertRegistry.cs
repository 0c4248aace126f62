using System.Text;
using System.Text.Json;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Host.Logging;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// Coordinates the experts of one directory: discovers packages, has each new or changed one loaded by the
/// <see cref="ExpertLoader"/> (read + validate → bind → compile → metadata → grants), publishes an immutable
/// <see cref="OpTable"/> snapshot, raises events, and routes calls to the <see cref="ExpertInvoker"/>. The table is
/// swapped atomically on reload; calls in flight finish on the version they started on. Thread-safe.
/// </summary>
public sealed class ExpertRegistry : IDisposable
{
    private readonly ILogger _logger;
    private readonly RuntimeEngines _engines = new();
    private readonly ExpertLoader _loader;
    private readonly TierUpCompiler _tierUp; // tier-up: background compiles, cancelled on Dispose
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly int _maxArgsBytes;
    private OpTable _table = OpTable.Empty;
    private bool _disposed;
    private int _disposedFlag;

    /// <summary>Creates an empty registry; call <see cref="LoadAsync"/> (or <see cref="Reload"/>) to load the directory.</summary>
    /// <param name="options">Directory, grants, limits (checked by <see cref="ExpertHostOptionsValidator"/>).</param>
    /// <param name="runtimes">Runtimes to bind to, as probed for <paramref name="platform"/> (from a <see cref="RuntimeCatalog"/> or <see cref="RuntimeReport.FromPlugin"/>).</param>
    /// <param name="platform">The platform the runtimes were probed for; bindings are explained for it.</param>
    /// <param name="logger">Log.</param>
    /// <param name="output">Where granted guest stdout/stderr goes (default: the log).</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public ExpertRegistry(ExpertHostOptions options, IReadOnlyList<RuntimeReport> runtimes, PlatformInfo platform, ILogger? logger = null, IWasiOutputSink? output = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runtimes);
        ArgumentNullException.ThrowIfNull(platform);
        ExpertHostOptionsValidator.ThrowIfInvalid(options);
        _logger = logger ?? NullLogger.Instance;
        Runtimes = runtimes;
        Platform = platform;
        Directory = Path.GetFullPath(options.Directory);
        _maxArgsBytes = options.Limits.MaxArgsBytes;
        _tierUp = new TierUpCompiler(_logger);
        _loader = new ExpertLoader(options, runtimes, platform, _engines, _tierUp, output ?? new LoggerWasiSink(_logger), _logger);
    }

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

    /// <summary>Every expert and every package that failed to load, sorted by tier (unknown last) then id.</summary>
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

    /// <summary>Loads (or reloads) the directory.</summary>
    /// <exception cref="ObjectDisposedException">The registry was disposed.</exception>
    public Task LoadAsync(CancellationToken cancellationToken = default) => Task.Run(() => Reload(cancellationToken), cancellationToken);

    /// <summary>
    /// Rescans the directory: unchanged packages stay, changed ones are fully validated before they replace the
    /// old version (a bad new version is rejected and the old one keeps serving), removed ones drain and unload.
    /// The op table swaps atomically. Whatever one package does (a malformed manifest, a payload path the file system
    /// refuses, a loader that throws) rejects that package only; a missing directory keeps the loaded experts serving.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The registry was disposed (also when it is disposed while this waits or runs).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the table is unchanged.</exception>
    public void Reload(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        CancellationTokenSource linked;
        try { linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token); }
        catch (ObjectDisposedException) { throw new ObjectDisposedException(nameof(ExpertRegistry)); }
        using (linked)
        {
            try { _reloadLock.Wait(linked.Token); }
            catch (OperationCanceledException) when (Volatile.Read(ref _disposed)) { throw new ObjectDisposedException(nameof(ExpertRegistry)); }
            try
            {
                // Dispose may have run between the first check and the lock: never load into disposed engines.
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
                ReloadLocked(linked.Token);
            }
            catch (OperationCanceledException) when (Volatile.Read(ref _disposed)) { throw new ObjectDisposedException(nameof(ExpertRegistry)); }
            finally { _reloadLock.Release(); }
        }
    }

    /// <summary>How many times one reload reads a directory that keeps being replaced before it keeps the old table.</summary>
    private const int MaxScanAttempts = 5;

    /// <summary>
    /// One reload is a snapshot of one directory: the scan is dropped when the directory at the path was replaced while
    /// it was read (a deploy that renames a new directory into place), because the listing and the reads could then
    /// see neither directory whole, and a package present in both would be retired for a moment. The directory is read
    /// again, a few times at most; after that the old table stays and the watcher's re-arm reloads later.
    /// </summary>
    private void ReloadLocked(CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            if (TryReloadOnce(cancellationToken)) return;
            Log.DirectoryChangedDuringReload(_logger, Directory, attempt);
            if (attempt == MaxScanAttempts) return;
            cancellationToken.WaitHandle.WaitOne(10 * attempt);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Scans and publishes; false (nothing published, nothing leaked) when the directory was replaced meanwhile.</summary>
    private bool TryReloadOnce(CancellationToken cancellationToken)
    {
        var old = Volatile.Read(ref _table);
        var oldBySource = old.Experts.ToDictionary(e => e.Package.Source, StringComparer.Ordinal);
        var identity = DirectoryIdentity.Of(Directory);
        if (!identity.Exists)
        {
            if (old.Experts.Count > 0 || old.Failures.Count > 0)
            {
                // Deleted, or between the two renames of a swap: keep serving; the watcher reloads when it returns.
                Log.DirectoryMissingKeptTable(_logger, Directory, old.Experts.Count);
                return true;
            }
            Log.ExpertsDirectoryMissing(_logger, Directory);
        }
        IReadOnlyList<string> paths;
        try { paths = identity.Exists ? ExpertPackageReader.Discover(Directory) : []; }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.DiscoverFailed(_logger, e, Directory);
            return true;
        }
        if (DirectoryIdentity.Of(Directory) != identity) return false; // replaced while listed

        var experts = new List<LoadedExpert>();
        var failures = new List<LoadFailure>();
        var loaded = new List<LoadedExpert>();
        var retired = new List<LoadedExpert>();
        try
        {
            foreach (var path in paths)
            {
                cancellationToken.ThrowIfCancellationRequested();
                oldBySource.TryGetValue(path, out var previous);
                ExpertPackage package;
                try { package = ExpertPackageReader.Read(path); }
                catch (ExpertPackageException e) { Reject(path, previous, e.Message, null); continue; }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Log.PackageThrew(_logger, e, path);
                    Reject(path, previous, $"the package cannot be read: {e.Message}", null);
                    continue;
                }
                if (previous is not null && previous.Package.Fingerprint == package.Fingerprint)
                {
                    previous.RejectedUpdate = null; // the good version is back (or never left): nothing is rejected now
                    experts.Add(previous);
                    continue;
                }
                LoadedExpert? expert;
                LoadFailure? failure;
                try { (expert, failure) = _loader.Load(package); }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Log.PackageThrew(_logger, e, path);
                    (expert, failure) = (null, new LoadFailure(path, Path.GetFileNameWithoutExtension(path), $"loading the package failed: {e.GetType().Name}: {e.Message}", null));
                }
                if (expert is null) { Reject(path, previous, failure!.Reason, failure.Fix); continue; }
                experts.Add(expert);
                loaded.Add(expert);
                if (previous is not null) retired.Add(previous);
            }
        }
        catch
        {
            foreach (var e in loaded) e.Release(); // cancelled (or disposed) mid-scan: the old table stays, nothing new leaks
            throw;
        }
        if (DirectoryIdentity.Of(Directory) != identity)
        {
            foreach (var e in loaded) e.Release(); // replaced while read: this scan is not a snapshot of one directory
            return false;
        }
        var live = new HashSet<string>(paths, StringComparer.Ordinal);
        foreach (var e in old.Experts)
            if (!live.Contains(e.Package.Source)) retired.Add(e);

        // Two packages with the same id: a signed package beats an unsigned one, then the first by path wins; the other is reported.
        var byId = new Dictionary<string, LoadedExpert>(StringComparer.Ordinal);
        foreach (var e in experts.OrderByDescending(x => OpTable.IsSigned(x.Package)).ThenBy(x => x.Package.Source, StringComparer.Ordinal).ToList())
        {
            if (byId.TryGetValue(e.Id, out var first))
            {
                experts.Remove(e);
                string why = OpTable.IsSigned(first.Package) && !OpTable.IsSigned(e.Package) ? "it is signed and this one is not" : "its path sorts first";
                failures.Add(new LoadFailure(e.Package.Source, e.Id,
                    $"duplicate expert id '{e.Id}': {first.Package.Source} already provides it and wins because {why}", "remove or rename one of the packages"));
                if (loaded.Remove(e)) e.Release();
                else retired.Add(e);
            }
            else byId[e.Id] = e;
        }

        // Native kernels only now: only a package that won its id may load code (ExpertLoader.BindNative).
        foreach (var e in loaded) _loader.BindNative(e);

        var next = OpTable.Build(experts, failures);
        Volatile.Write(ref _table, next);

        foreach (var e in retired)
        {
            string message = $"expert '{e.Id}' {e.Package.Source} unloaded (in-flight calls finish on it)";
            Log.ExpertUnloaded(_logger, message);
            Raise(ExpertUnloaded, nameof(ExpertUnloaded), old.ToInfo(e), message);
            e.Release();
        }
        foreach (var e in loaded)
        {
            var info = next.ToInfo(e);
            string status = info.Status.ToString().ToLowerInvariant();
            string message = $"expert '{e.Id}' {info.Version} loaded from {e.Package.Source}: {status} ({info.Reason})";
            Log.ExpertLoaded(_logger, message);
            Raise(ExpertLoaded, nameof(ExpertLoaded), info, message);
            if (e.Limits.Clamped.Count > 0) Log.LimitsClamped(_logger, e.Id, e.Package.Source, string.Join("; ", e.Limits.Clamped));
            if (e.Binding.Status != ExpertStatus.Bound)
            {
                message = $"expert '{e.Id}' is {status}: {info.Reason}{(info.Fix is null ? "" : $"; fix: {info.Fix}")}";
                Log.ExpertDegraded(_logger, message);
                Raise(ExpertDegraded, nameof(ExpertDegraded), info, message);
            }
            foreach (var c in info.Conflicts)
                if (!c.Wins) { Log.OpShadowed(_logger, c.Op, e.Id, c.OtherId); Log.OpConflict(_logger, c.Explanation); }
        }
        return true;

        void Reject(string path, LoadedExpert? previous, string reason, string? fix)
        {
            if (previous is not null)
            {
                previous.RejectedUpdate = reason;
                experts.Add(previous);
                string message = $"new version of '{previous.Id}' at {path} rejected, previous version keeps serving: {reason}";
                Log.ExpertRejected(_logger, message);
                Raise(ExpertRejected, nameof(ExpertRejected), old.ToInfo(previous), message);
            }
            else
            {
                string id = Path.GetFileNameWithoutExtension(path.TrimEnd(Path.DirectorySeparatorChar));
                var failure = new LoadFailure(path, id, reason, fix ?? "fix the package and save it again; the host reloads it");
                failures.Add(failure);
                string message = $"package {path} rejected: {reason}";
                Log.ExpertRejected(_logger, message);
                Raise(ExpertRejected, nameof(ExpertRejected), failure.ToInfo(), message);
            }
        }
    }

    /// <summary>Calls <paramref name="op"/> with <paramref name="argsJson"/> (a JSON text; null or empty means <c>{}</c>).</summary>
    public Task<ExpertCallResult> CallAsync(string op, string? argsJson, CancellationToken cancellationToken = default) =>
        Task.Run(() => Call(op, argsJson, cancellationToken), cancellationToken);

    /// <summary>
    /// Calls <paramref name="op"/> with <paramref name="argsJson"/> (a JSON text; null or white space means <c>{}</c>):
    /// encodes it to UTF-8 (on the stack, pooled when large) and calls <see cref="Call(string, ReadOnlySpan{byte}, CancellationToken)"/>.
    /// </summary>
    public ExpertCallResult Call(string op, string? argsJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (string.IsNullOrWhiteSpace(argsJson)) return Call(op, "{}"u8, cancellationToken);
        // The caller's args are bounded before anything is copied or encoded: a UTF-16 char is 1 to 3 UTF-8 bytes, so
        // only a string between cap/3 and cap chars needs counting (no allocation).
        if (argsJson.Length > _maxArgsBytes || ((long)argsJson.Length * 3 > _maxArgsBytes && Encoding.UTF8.GetByteCount(argsJson) > _maxArgsBytes))
            return ArgsTooLarge(op);
        int maxArgBytes = Encoding.UTF8.GetMaxByteCount(argsJson.Length);
        byte[]? rentedArgs = maxArgBytes > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(maxArgBytes) : null;
        // Sized to the args (the runtime zeroes a stackalloc; 512 bytes for a 15-char args was a memset per call).
        Span<byte> argsBuffer = rentedArgs is null ? stackalloc byte[maxArgBytes] : rentedArgs;
        try { return Call(op, argsBuffer[..Encoding.UTF8.GetBytes(argsJson, argsBuffer)], cancellationToken); }
        finally { if (rentedArgs is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rentedArgs); }
    }

    /// <summary>
    /// Calls <paramref name="op"/> with <paramref name="argsUtf8"/>, the UTF-8 JSON text of the args (empty or white space
    /// means <c>{}</c>), synchronously on the calling thread: the primary call. The bytes are checked once (size cap,
    /// UTF-8, JSON) and handed to the guest as they are. Never throws for guest misbehaviour: every failure is an outcome.
    /// Throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <remarks>Emits a <see cref="Telemetry.PolymathTelemetry.CallActivityName"/> activity and call metrics when something listens.</remarks>
    public ExpertCallResult Call(string op, ReadOnlySpan<byte> argsUtf8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        return CallTraced(op, argsUtf8, parsed: false, cancellationToken);
    }

    /// <summary>
    /// Calls <paramref name="op"/> with <paramref name="args"/>, a value of a parsed document (for a front end that has
    /// parsed its request already): its raw UTF-8 goes to the guest without a copy, and is not parsed again
    /// (<see cref="CallParsed"/>). An undefined element means <c>{}</c>.
    /// </summary>
    public ExpertCallResult Call(string op, JsonElement args, CancellationToken cancellationToken = default) =>
        CallParsed(op, args.ValueKind == JsonValueKind.Undefined ? default : JsonMarshal.GetRawUtf8Value(args), cancellationToken);

    /// <summary>
    /// Calls <paramref name="op"/> with <paramref name="argsJsonUtf8"/>, UTF-8 JSON text the caller has already parsed
    /// (the service's <c>args</c>, a value of its request): only its size and its strings' UTF-8 are checked, which a
    /// parse does not do; it is not parsed again. Empty means <c>{}</c>. Text that was not parsed goes to
    /// <see cref="Call(string, ReadOnlySpan{byte}, CancellationToken)"/>, which checks it.
    /// </summary>
    public ExpertCallResult CallParsed(string op, ReadOnlySpan<byte> argsJsonUtf8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        return CallTraced(op, argsJsonUtf8.IsEmpty ? "{}"u8 : argsJsonUtf8, parsed: true, cancellationToken);
    }

    private ExpertCallResult CallTraced(string op, ReadOnlySpan<byte> args, bool parsed, CancellationToken cancellationToken)
    {
        if (!Telemetry.PolymathTelemetry.Enabled) return CallUntraced(op, args, parsed, cancellationToken);
        // Only when something listens (an activity is made anyway): the args are copied for the state.
        return Telemetry.PolymathTelemetry.Record(op, (Registry: this, Op: op, Args: args.ToArray(), Parsed: parsed, Token: cancellationToken),
            static s => s.Registry.CallUntraced(s.Op, s.Args, s.Parsed, s.Token), static (s, o) => s.Registry.VersionOf(o));
    }

    /// <summary>The version of the expert that serves <paramref name="op"/> now (telemetry).</summary>
    private string? VersionOf(string op) =>
        Volatile.Read(ref _table).Ops.TryGetValue(op, out var route) ? route.Expert.Package.Manifest?.Version ?? route.Expert.Metadata?.Version : null;

    private ExpertCallResult ArgsTooLarge(string op) => new()
    {
        Outcome = ExpertCallOutcome.InvalidArgs, Op = op, // attributed to the caller: no expert id
        Reason = $"the args are larger than the host's cap of {_maxArgsBytes} bytes ({ExpertHostOptions.SectionName}:Limits:MaxArgsBytes)",
    };

    private ExpertCallResult CallUntraced(string op, ReadOnlySpan<byte> args, bool parsed, CancellationToken cancellationToken)
    {
        if (op.Length == 0) return new ExpertCallResult { Outcome = ExpertCallOutcome.InvalidArgs, Op = op, Reason = "the op name is empty" };
        if (args.Length > _maxArgsBytes) return ArgsTooLarge(op);
        if (!parsed)
        {
            if (args.IndexOfAnyExcept(" \t\r\n"u8) < 0) args = "{}"u8;
            else if (!ExpertInvoker.IsValidJson(args, out string? jsonError))
                return new ExpertCallResult { Outcome = ExpertCallOutcome.InvalidArgs, Op = op, Reason = $"args are not valid JSON: {jsonError}" };
        }
        // A parse does not check the UTF-8 inside strings: checked here, once, on the bytes (vectorized, no allocation).
        if (!System.Text.Unicode.Utf8.IsValid(args))
            return new ExpertCallResult { Outcome = ExpertCallOutcome.InvalidArgs, Op = op, Reason = "args are not valid UTF-8" };

        for (int attempt = 0; ; attempt++)
        {
            var table = Volatile.Read(ref _table);
            if (!table.Ops.TryGetValue(op, out var route))
                return table.Unreadable.Count == 0
                    ? new ExpertCallResult { Outcome = ExpertCallOutcome.UnknownOp, Op = op, Reason = $"no expert advertises op '{op}'" }
                    : UnreadableOps(op, table);
            var expert = route.Expert;
            if (!expert.TryAcquire())
            {
                if (attempt < 100) { Thread.Yield(); continue; } // retired between the read and the acquire: take the new table
                return new ExpertCallResult { Outcome = ExpertCallOutcome.Unavailable, Op = op, ExpertId = expert.Id, Reason = "the expert is being replaced; try again" };
            }
            try { return ExpertInvoker.Invoke(expert, op, route.OpUtf8, args, cancellationToken); }
            finally { expert.Release(); }
        }
    }

    /// <summary>No readable expert has the op, but some experts' ops are unknown: say why instead of <c>unknown_op</c>.</summary>
    private static ExpertCallResult UnreadableOps(string op, OpTable table)
    {
        var first = table.Unreadable[0];
        string more = table.Unreadable.Count == 1 ? "" : $" (and {table.Unreadable.Count - 1} more)";
        string fix = first.Binding.Fix is null ? "" : $"; fix: {first.Binding.Fix}";
        return new ExpertCallResult
        {
            Outcome = ExpertCallOutcome.Unavailable, Op = op,
            Reason = $"no loaded expert advertises op '{op}', and the ops of expert '{first.Id}'{more} are unknown because it cannot run here: {first.Binding.Reason}{fix}",
        };
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
    /// Unloads every expert (instances are released when their last call finishes) and disposes the engines. A reload in
    /// flight is cancelled at its next package and waited for; a later <see cref="Reload"/> throws
    /// <see cref="ObjectDisposedException"/>. Calls after this answer <c>unknown_op</c>.
    /// </summary>
    public void Dispose()
    {
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
}
