using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Experts;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Host.Experts;

/// <summary>What happened to an expert (event data).</summary>
/// <param name="Expert">The expert as it is now (or was, for unload).</param>
/// <param name="Message">One line for logs.</param>
public sealed record ExpertEventArgs(ExpertInfo Expert, string Message);

/// <summary>A package that could not be loaded (kept in the listing as unavailable).</summary>
internal sealed record LoadFailure(string Source, string Id, string Reason, string? Fix);

/// <summary>
/// Loads every package in the experts directory, binds each to a runtime, routes ops (tier order, lower tiers
/// shadow higher ones) and runs calls with limits on pooled instances. The op table is an immutable snapshot
/// swapped atomically on reload; calls in flight finish on the version they started on. Thread-safe.
/// </summary>
public sealed class ExpertRegistry : IDisposable
{
    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([], [], new Dictionary<string, LoadedExpert>(StringComparer.Ordinal), new Dictionary<LoadedExpert, List<string>>());
        public Snapshot(IReadOnlyList<LoadedExpert> experts, IReadOnlyList<LoadFailure> failures,
            Dictionary<string, LoadedExpert> ops, Dictionary<LoadedExpert, List<string>> shadowed)
        {
            Experts = experts; Failures = failures; Ops = ops; Shadowed = shadowed;
        }
        public IReadOnlyList<LoadedExpert> Experts { get; }
        public IReadOnlyList<LoadFailure> Failures { get; }
        public Dictionary<string, LoadedExpert> Ops { get; }
        public Dictionary<LoadedExpert, List<string>> Shadowed { get; }
    }

    private readonly ExpertHostOptions _options;
    private readonly IReadOnlyList<ExpertRuntime> _runtimes;
    private readonly ILogger _logger;
    private readonly IWasiOutputSink _output;
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private Snapshot _snapshot = Snapshot.Empty;
    private bool _disposed;

    /// <summary>Creates an empty registry; call <see cref="LoadAsync"/> (or <see cref="Reload"/>) to load the directory.</summary>
    /// <param name="options">Directory, grants, limits.</param>
    /// <param name="runtimes">Runtimes to bind to.</param>
    /// <param name="logger">Log.</param>
    /// <param name="output">Where granted guest stdout/stderr goes (default: the log).</param>
    /// <param name="platform">The platform to bind for; default: <see cref="ExpertHostOptions.Platform"/> or this process.</param>
    public ExpertRegistry(ExpertHostOptions options, IReadOnlyList<ExpertRuntime> runtimes, ILogger? logger = null, IWasiOutputSink? output = null, PlatformInfo? platform = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runtimes);
        options.Validate();
        _options = options;
        _runtimes = runtimes;
        _logger = logger ?? NullLogger.Instance;
        _output = output ?? new LoggerWasiSink(_logger);
        Platform = platform ?? (options.Platform is null ? PlatformInfo.Current : PlatformInfo.FromRuntimeIdentifier(options.Platform));
        Directory = Path.GetFullPath(options.Directory);
    }

    /// <summary>The experts directory (full path).</summary>
    public string Directory { get; }

    /// <summary>The platform bindings are made for.</summary>
    public PlatformInfo Platform { get; }

    /// <summary>The runtimes considered for binding.</summary>
    public IReadOnlyList<ExpertRuntime> Runtimes => _runtimes;

    /// <summary>An expert was loaded (new, or a new version went live).</summary>
    public event EventHandler<ExpertEventArgs>? ExpertLoaded;
    /// <summary>An expert was removed or replaced; raised when it leaves the op table.</summary>
    public event EventHandler<ExpertEventArgs>? ExpertUnloaded;
    /// <summary>An expert was loaded degraded or unavailable (the message says what it lost and why).</summary>
    public event EventHandler<ExpertEventArgs>? ExpertDegraded;
    /// <summary>A package (or a new version of one) was rejected; the old version, if any, keeps serving.</summary>
    public event EventHandler<ExpertEventArgs>? ExpertRejected;

    /// <summary>Every expert and every package that failed to load, sorted by tier then id.</summary>
    public IReadOnlyList<ExpertInfo> Experts
    {
        get
        {
            var s = Volatile.Read(ref _snapshot);
            var list = s.Experts.Select(e => e.ToInfo(s.Shadowed.TryGetValue(e, out var sh) ? sh : [])).ToList();
            list.AddRange(s.Failures.Select(f => new ExpertInfo
            {
                Id = f.Id, Tier = 255, Source = f.Source, Status = ExpertStatus.Unavailable, Reason = f.Reason, Fix = f.Fix,
            }));
            return list.OrderBy(e => e.Tier).ThenBy(e => e.Id, StringComparer.Ordinal).ThenBy(e => e.Source, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The op table: op → expert id that serves it.</summary>
    public IReadOnlyDictionary<string, string> Ops =>
        Volatile.Read(ref _snapshot).Ops.ToDictionary(kv => kv.Key, kv => kv.Value.Id, StringComparer.Ordinal);

    /// <summary>Idle pooled instances of the live version of <paramref name="expertId"/> (diagnostics).</summary>
    public int IdleInstances(string expertId) =>
        Volatile.Read(ref _snapshot).Experts.FirstOrDefault(e => e.Id == expertId)?.IdleInstances ?? 0;

    /// <summary>Loads (or reloads) the directory.</summary>
    public Task LoadAsync(CancellationToken cancellationToken = default) => Task.Run(() => Reload(cancellationToken), cancellationToken);

    /// <summary>
    /// Rescans the directory: unchanged packages stay, changed ones are fully validated before they replace the
    /// old version (a bad new version is rejected and the old one keeps serving), removed ones drain and unload.
    /// The op table swaps atomically.
    /// </summary>
    public void Reload(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _reloadLock.Wait(cancellationToken);
        try { ReloadLocked(cancellationToken); }
        finally { _reloadLock.Release(); }
    }

    private void ReloadLocked(CancellationToken cancellationToken)
    {
        var old = Volatile.Read(ref _snapshot);
        var oldBySource = old.Experts.ToDictionary(e => e.Package.Source, StringComparer.Ordinal);
        var paths = System.IO.Directory.Exists(Directory) ? ExpertPackageReader.Discover(Directory) : [];
        if (!System.IO.Directory.Exists(Directory))
            _logger.LogWarning("Experts directory {Directory} does not exist", Directory);

        var experts = new List<LoadedExpert>();
        var failures = new List<LoadFailure>();
        var loaded = new List<LoadedExpert>();
        var retired = new List<LoadedExpert>();
        foreach (var path in paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            oldBySource.TryGetValue(path, out var previous);
            ExpertPackage package;
            try { package = ExpertPackageReader.Read(path); }
            catch (ExpertPackageException e) { Reject(path, previous, e.Message, null); continue; }
            if (previous is not null && previous.Package.Fingerprint == package.Fingerprint)
            {
                experts.Add(previous);
                continue;
            }
            var (expert, failure) = Load(package);
            if (expert is null) { Reject(path, previous, failure!.Reason, failure.Fix); continue; }
            experts.Add(expert);
            loaded.Add(expert);
            if (previous is not null) retired.Add(previous);
        }
        foreach (var e in old.Experts)
            if (!paths.Contains(e.Package.Source, StringComparer.Ordinal)) retired.Add(e);

        // Two packages with the same id: the first by path wins, the other is reported.
        var byId = new Dictionary<string, LoadedExpert>(StringComparer.Ordinal);
        foreach (var e in experts.ToList())
        {
            if (byId.TryGetValue(e.Id, out var first))
            {
                experts.Remove(e);
                failures.Add(new LoadFailure(e.Package.Source, e.Id,
                    $"duplicate expert id '{e.Id}': {first.Package.Source} already provides it", "remove or rename one of the packages"));
                if (loaded.Remove(e)) e.Release();
                else retired.Add(e);
            }
            else byId[e.Id] = e;
        }

        var next = BuildSnapshot(experts, failures);
        Volatile.Write(ref _snapshot, next);

        foreach (var e in retired)
        {
            var info = e.ToInfo([]);
            Raise(ExpertUnloaded, info, $"expert '{e.Id}' {e.Package.Source} unloaded (in-flight calls finish on it)");
            e.Release();
        }
        foreach (var e in loaded)
        {
            var info = e.ToInfo(next.Shadowed.TryGetValue(e, out var sh) ? sh : []);
            Raise(ExpertLoaded, info, $"expert '{e.Id}' {info.Version} loaded from {e.Package.Source}: {info.Status.ToString().ToLowerInvariant()} ({info.Reason})");
            if (e.Binding.Status != ExpertStatus.Bound)
                Raise(ExpertDegraded, info, $"expert '{e.Id}' is {info.Status.ToString().ToLowerInvariant()}: {info.Reason}{(info.Fix is null ? "" : $"; fix: {info.Fix}")}", LogLevel.Warning);
            foreach (var op in info.ShadowedOps)
                _logger.LogInformation("Op {Op} of expert {Expert} is shadowed by expert {Winner}", op, e.Id, next.Ops[op].Id);
        }

        void Reject(string path, LoadedExpert? previous, string reason, string? fix)
        {
            if (previous is not null)
            {
                previous.RejectedUpdate = reason;
                experts.Add(previous);
                Raise(ExpertRejected, previous.ToInfo([]), $"new version of '{previous.Id}' at {path} rejected, previous version keeps serving: {reason}", LogLevel.Warning);
            }
            else
            {
                string id = Path.GetFileNameWithoutExtension(path.TrimEnd(Path.DirectorySeparatorChar));
                var failure = new LoadFailure(path, id, reason, fix ?? "fix the package and save it again; the host reloads it");
                failures.Add(failure);
                Raise(ExpertRejected, new ExpertInfo { Id = id, Source = path, Status = ExpertStatus.Unavailable, Reason = reason, Fix = failure.Fix },
                    $"package {path} rejected: {reason}", LogLevel.Warning);
            }
        }
    }

    private Snapshot BuildSnapshot(List<LoadedExpert> experts, List<LoadFailure> failures)
    {
        var ordered = experts.OrderBy(e => e.Tier).ThenBy(e => e.Package.Source, StringComparer.Ordinal).ToList();
        var ops = new Dictionary<string, LoadedExpert>(StringComparer.Ordinal);
        var shadowed = new Dictionary<LoadedExpert, List<string>>();
        // Callable experts claim ops first, so an unavailable expert never hides a working one.
        foreach (var pass in new[] { true, false })
            foreach (var e in ordered.Where(x => x.IsCallable == pass))
                foreach (var op in e.Metadata?.Ops ?? [])
                {
                    if (ops.TryAdd(op.Name, e)) continue;
                    if (!shadowed.TryGetValue(e, out var list)) shadowed[e] = list = [];
                    list.Add(op.Name);
                }
        return new Snapshot(ordered, failures, ops, shadowed);
    }

    private (LoadedExpert? Expert, LoadFailure? Failure) Load(ExpertPackage package)
    {
        string source = package.Source;
        var manifest = package.Manifest;
        string fallbackId = manifest?.Id ?? Path.GetFileNameWithoutExtension(source);
        LoadFailure Fail(string reason, string? fix = null) => new(source, fallbackId, reason, fix);

        Module definition;
        try { definition = ModuleReader.ReadAndValidate(package.Wasm); }
        catch (WasmModuleException e) { return (null, Fail($"the WebAssembly module is {e.Kind.ToString().ToLowerInvariant()}: {e.Message}", "rebuild the module")); }
        var abiProblems = ExpertInstance.CheckExports(definition);
        if (abiProblems.Count > 0) return (null, Fail($"not a larql expert: {string.Join("; ", abiProblems)}", "export memory, larql_alloc, larql_dealloc, larql_call and larql_metadata"));
        var nonWasi = definition.Imports.FirstOrDefault(i => i.Module != WasiPreview1.ModuleName || i.Kind != ExternKind.Function);
        if (nonWasi is not null) return (null, Fail($"imports '{nonWasi.Module}.{nonWasi.Name}'; experts may import only {WasiPreview1.ModuleName} functions"));

        var limits = EffectiveLimits.Combine(manifest?.Limits, _options.Limits);
        var asked = WasiGrants.None;
        if (manifest is not null) WasiGrantNames.TryParse(manifest.Grants, out asked, out _);
        var featureCaps = Capabilities.ForFeatures(definition.Features);

        // The id is needed for the operator's grants; a bare module's id comes from its metadata, so read that first
        // with nothing granted.
        var request = new BindingRequest(fallbackId, manifest?.Requires ?? [], manifest?.Prefers ?? [], featureCaps, asked, WasiGrants.None, limits);
        var probeBinding = ExpertBinder.Bind(request, _runtimes, Platform);

        // Read metadata on the chosen runtime, or any runtime that can compile it (to list ops of an unavailable expert).
        ExpertMetadata? metadata = null;
        string? metadataError = null;
        var readers = (probeBinding.Runtime is { } r ? new[] { r } : []).Concat(_runtimes.Where(x => x.IsAvailable && x != probeBinding.Runtime));
        foreach (var rt in readers)
        {
            try
            {
                var module = rt.Engine.Compile(package.Wasm);
                using var cts = new CancellationTokenSource(limits.TimeoutMs);
                var options = new CallOptions { Fuel = limits.FuelPerCall, CancellationToken = cts.Token };
                using var instance = ExpertInstance.Create(rt.Engine, module, new StoreLimits { MaxMemoryPages = limits.MemoryPages, MaxCallDepth = limits.MaxCallDepth }, WasiOptions.Denied, options);
                metadata = instance.ReadMetadata(source, options);
                break;
            }
            catch (ExpertPackageException e) { return (null, Fail(e.Message, "fix the module's larql_metadata")); }
            catch (Exception e) when (e is WasmTrapException or WasmLinkException or ExpertAbiException or WasmModuleException)
            {
                metadataError = $"reading metadata on {rt.Id} failed: {e.Message}";
                if (probeBinding.Runtime == rt) return (null, Fail(metadataError, "fix the module (larql_metadata must not trap) or raise its limits"));
            }
        }

        string id = manifest?.Id ?? metadata?.Id ?? fallbackId;
        if (manifest is not null && metadata is not null && metadata.Id != manifest.Id)
            return (null, Fail($"expert.json says id '{manifest.Id}' but larql_metadata says '{metadata.Id}'", "make the ids equal"));
        if (manifest is null && metadata is not null && !ExpertManifest.IsValidId(metadata.Id))
            _logger.LogWarning("Expert {Source} has id {Id}, which is not of the form [a-z0-9_-]+", source, metadata.Id);
        if (manifest is not null && metadata is not null && (metadata.Tier != manifest.Tier || metadata.Version != manifest.Version))
            _logger.LogWarning("Expert {Id}: expert.json (tier {Tier}, version {Version}) differs from larql_metadata (tier {MTier}, version {MVersion}); expert.json wins",
                id, manifest.Tier, manifest.Version, metadata.Tier, metadata.Version);

        var grants = _options.GrantsFor(id);
        var binding = ExpertBinder.Bind(request with { ExpertId = id, OperatorGrants = grants }, _runtimes, Platform);
        IWasmModule? compiled = null;
        if (binding.Runtime is { } chosen)
        {
            try { compiled = chosen.Engine.Compile(package.Wasm); }
            catch (WasmModuleException e)
            {
                binding = new ExpertBinding(ExpertStatus.Unavailable, null, $"{chosen.Id} cannot compile it: {e.Message}", [], "use a runtime that supports the module's features");
            }
        }
        if (metadata is null && binding.Status != ExpertStatus.Unavailable)
            return (null, Fail(metadataError ?? "could not read larql_metadata"));
        if (metadata is null && metadataError is not null)
            binding = binding with { Reason = $"{binding.Reason}; its ops are unknown ({metadataError})" };
        return (new LoadedExpert(package, metadata, binding, compiled, limits, grants, _output, _options.MaxIdleInstancesPerExpert, id), null);
    }

    /// <summary>Calls <paramref name="op"/> with <paramref name="argsJson"/> (a JSON text; null or empty means <c>{}</c>).</summary>
    public Task<ExpertCallResult> CallAsync(string op, string? argsJson, CancellationToken cancellationToken = default) =>
        Task.Run(() => Call(op, argsJson, cancellationToken), cancellationToken);

    /// <summary>
    /// Calls <paramref name="op"/> synchronously on the calling thread. Never throws for guest misbehaviour: every
    /// failure is an outcome. Throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public ExpertCallResult Call(string op, string? argsJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (op.Length == 0) return new ExpertCallResult { Outcome = ExpertCallOutcome.InvalidArgs, Op = op, Reason = "the op name is empty" };
        if (string.IsNullOrWhiteSpace(argsJson)) argsJson = "{}";
        byte[] args = Encoding.UTF8.GetBytes(argsJson);
        if (!IsValidJson(args, out string? jsonError))
            return new ExpertCallResult { Outcome = ExpertCallOutcome.InvalidArgs, Op = op, Reason = $"args are not valid JSON: {jsonError}" };

        for (int attempt = 0; ; attempt++)
        {
            var snapshot = Volatile.Read(ref _snapshot);
            if (!snapshot.Ops.TryGetValue(op, out var expert))
                return new ExpertCallResult { Outcome = ExpertCallOutcome.UnknownOp, Op = op, Reason = $"no expert advertises op '{op}'" };
            if (!expert.TryAcquire())
            {
                if (attempt < 100) { Thread.Yield(); continue; } // retired between the read and the acquire: take the new table
                return new ExpertCallResult { Outcome = ExpertCallOutcome.Unavailable, Op = op, ExpertId = expert.Id, Reason = "the expert is being replaced; try again" };
            }
            try { return Run(expert, op, args, cancellationToken); }
            finally { expert.Release(); }
        }
    }

    private static bool IsValidJson(byte[] utf8, out string? error)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            while (reader.Read()) { }
            error = null;
            return true;
        }
        catch (JsonException e) { error = e.Message; return false; }
    }

    private ExpertCallResult Run(LoadedExpert expert, string op, byte[] args, CancellationToken cancellationToken)
    {
        if (!expert.IsCallable)
            return new ExpertCallResult
            {
                Outcome = ExpertCallOutcome.Unavailable, Op = op, ExpertId = expert.Id,
                Reason = expert.Binding.Fix is null ? expert.Binding.Reason : $"{expert.Binding.Reason}; fix: {expert.Binding.Fix}",
            };
        string runtime = expert.Binding.RuntimeId!;
        var limits = expert.Limits;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limits.TimeoutMs);
        var options = new CallOptions { Fuel = limits.FuelPerCall, CancellationToken = timeout.Token };
        byte[] opBytes = Encoding.UTF8.GetBytes(op);
        ExpertInstance? instance = null;
        bool healthy = false;
        long start = 0;
        try
        {
            instance = expert.Rent(options);
            start = Stopwatch.GetTimestamp();
            string? json = instance.Call(opBytes, args, options, limits.MaxResultBytes);
            ulong latency = (ulong)Stopwatch.GetElapsedTime(start).Ticks * 100;
            if (json is null)
            {
                healthy = true;
                return new ExpertCallResult { Outcome = ExpertCallOutcome.Declined, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Reason = $"expert '{expert.Id}' declined op '{op}' (unknown op or unusable args)", LatencyNs = latency };
            }
            var result = ExpertResult.Parse(json, expert.Id, op, latency);
            healthy = true;
            return new ExpertCallResult { Outcome = ExpertCallOutcome.Result, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Result = result, LatencyNs = latency };
        }
        catch (WasmTrapException trap)
        {
            ulong latency = start == 0 ? 0 : (ulong)Stopwatch.GetElapsedTime(start).Ticks * 100;
            if (trap.Kind == TrapKind.Interrupted && cancellationToken.IsCancellationRequested)
                throw new OperationCanceledException("the call was cancelled", trap, cancellationToken);
            ExpertLimitKind? limit = trap.Kind switch
            {
                TrapKind.OutOfFuel => ExpertLimitKind.Fuel,
                TrapKind.Interrupted => ExpertLimitKind.Timeout,
                TrapKind.CallStackExhausted => ExpertLimitKind.CallDepth,
                _ => instance is not null && instance.Memory.Pages >= limits.MemoryPages ? ExpertLimitKind.Memory : null,
            };
            if (limit is { } l)
                return new ExpertCallResult
                {
                    Outcome = ExpertCallOutcome.LimitExceeded, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Limit = l, Trap = trap.Kind,
                    WasmStack = trap.WasmStack, LatencyNs = latency, Reason = LimitReason(l, limits, trap),
                };
            return new ExpertCallResult
            {
                Outcome = ExpertCallOutcome.Trapped, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Trap = trap.Kind, WasmStack = trap.WasmStack, LatencyNs = latency,
                Reason = trap.Kind == TrapKind.Exit ? $"the expert called proc_exit({trap.ExitCode})" : $"trap: {trap.Message}{StackSuffix(trap)}",
            };
        }
        catch (ExpertAbiException abi)
        {
            if (abi.Violation == AbiViolation.ResultTooLarge)
                return new ExpertCallResult { Outcome = ExpertCallOutcome.LimitExceeded, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Limit = ExpertLimitKind.ResultSize, Violation = abi.Violation, Reason = abi.Message };
            return new ExpertCallResult { Outcome = ExpertCallOutcome.Trapped, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Violation = abi.Violation, Reason = $"ABI violation ({abi.Violation}): {abi.Message}" };
        }
        catch (WasmLinkException link)
        {
            return new ExpertCallResult { Outcome = ExpertCallOutcome.Unavailable, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Reason = $"cannot instantiate: {link.Message}" };
        }
        finally
        {
            if (instance is not null)
            {
                if (healthy) expert.Return(instance);
                else instance.Dispose(); // a trapped or misbehaving instance is discarded; the next call gets a fresh one
            }
        }
    }

    private static string StackSuffix(WasmTrapException trap) =>
        trap.WasmStack.Count == 0 ? "" : $" at {string.Join(" <- ", trap.WasmStack.Take(8))}";

    private static string LimitReason(ExpertLimitKind limit, EffectiveLimits limits, WasmTrapException trap) => limit switch
    {
        ExpertLimitKind.Fuel => $"fuel limit of {limits.FuelPerCall} exhausted",
        ExpertLimitKind.Timeout => $"timeout of {limits.TimeoutMs} ms exceeded",
        ExpertLimitKind.CallDepth => $"call depth limit of {limits.MaxCallDepth} exhausted (runaway recursion)",
        ExpertLimitKind.Memory => $"memory cap of {limits.MemoryPages} pages reached ({trap.Message})",
        _ => trap.Message,
    };

    // The level is passed explicitly: comparing event delegates would confuse two events with no subscribers (both null).
    private void Raise(EventHandler<ExpertEventArgs>? handler, ExpertInfo info, string message, LogLevel level = LogLevel.Information)
    {
        _logger.Log(level, "Expert event: {Message}", message);
        try { handler?.Invoke(this, new ExpertEventArgs(info, message)); }
        catch (Exception e) { _logger.LogError(e, "An expert event handler threw"); }
    }

    /// <summary>Unloads every expert (instances are released when their last call finishes).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _reloadLock.Wait();
        try
        {
            var s = Interlocked.Exchange(ref _snapshot, Snapshot.Empty);
            foreach (var e in s.Experts) e.Release();
        }
        finally { _reloadLock.Release(); }
    }
}

/// <summary>Routes granted guest stdout/stderr to a logger, one log entry per write (trailing newline trimmed).</summary>
public sealed class LoggerWasiSink(ILogger logger) : IWasiOutputSink
{
    /// <inheritdoc />
    public void Write(int fd, ReadOnlySpan<byte> data)
    {
        if (!logger.IsEnabled(LogLevel.Information)) return;
        string text = Encoding.UTF8.GetString(data).TrimEnd('\n', '\r');
        if (fd == 2) logger.LogWarning("guest stderr: {Text}", text);
        else logger.LogInformation("guest stdout: {Text}", text);
    }
}
