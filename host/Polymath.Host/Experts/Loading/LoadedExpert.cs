using Polymath.Experts;

namespace Polymath.Host.Experts;

/// <summary>
/// One loaded version of a package: metadata, binding, limits, grants and where it runs now (<see cref="CurrentExecution"/>:
/// runtime, engine, compiled module, instance pool). The execution is created at load, or — when the metadata came from
/// the metadata cache — on the first call (<see cref="Activate"/>), and replaced atomically by tier-up
/// (<see cref="SwapExecution"/>): calls in flight finish on the old one, whose pool is then released. Reference counted:
/// the registry holds one reference while it is live, each call holds one while it runs; when it is retired and the last
/// call finishes, its instances are released.
/// </summary>
internal sealed class LoadedExpert
{
    private readonly Lock _gate = new();
    private Func<LoadedExpert, (ExpertExecution? Execution, string? Failure)>? _activate;
    private ExpertExecution? _execution;
    private volatile string? _pendingRuntimeId;
    private volatile string? _tierUpFailure;
    private volatile string? _activationFailure;
    private int _refs = 1;

    /// <summary>A loaded version; with <paramref name="activate"/> it starts on its first call.</summary>
    /// <param name="id">Expert id.</param>
    /// <param name="package">The package.</param>
    /// <param name="metadata">Its metadata (null when unknown).</param>
    /// <param name="binding">The binding decision.</param>
    /// <param name="limits">Limits in force.</param>
    /// <param name="grants">Grants in force.</param>
    /// <param name="execution">Where it runs from the start; null when it is unavailable or started on first call.</param>
    /// <param name="activate">Creates the execution on the first call (returns it, or why it cannot run); null when <paramref name="execution"/> is given.</param>
    public LoadedExpert(string id, ExpertPackage package, ExpertMetadata? metadata, ExpertBinding binding, EffectiveLimits limits,
        WasiGrants grants, ExpertExecution? execution, Func<LoadedExpert, (ExpertExecution? Execution, string? Failure)>? activate = null)
    {
        Id = id;
        Package = package;
        Metadata = metadata;
        Binding = binding;
        Limits = limits;
        Grants = grants;
        if (binding.Status != ExpertStatus.Unavailable)
        {
            _execution = execution;
            _activate = execution is null ? activate : null;
        }
        else execution?.Pool.Clear();
    }

    public string Id { get; }
    public ExpertPackage Package { get; }
    public ExpertMetadata? Metadata { get; }
    public ExpertBinding Binding { get; private set; }
    public EffectiveLimits Limits { get; }
    public WasiGrants Grants { get; }
    public byte Tier => Package.Manifest?.Tier ?? Metadata?.Tier ?? 255;
    public string? RejectedUpdate { get; set; }

    /// <summary>True unless the binding is unavailable (an expert started on first call counts as callable).</summary>
    public bool IsCallable => Binding.Status != ExpertStatus.Unavailable;

    /// <summary>Where it runs now; null before the first call of a lazily started expert.</summary>
    public ExpertExecution? CurrentExecution => Volatile.Read(ref _execution);

    /// <summary>The runtime it is moving to (a background compile is queued or running), or null.</summary>
    public string? PendingRuntimeId
    {
        get => _pendingRuntimeId;
        set => _pendingRuntimeId = value;
    }

    /// <summary>Why the first-call start failed, when it did.</summary>
    public string? ActivationFailure => _activationFailure;

    /// <summary>The native kernel serving the calls instead of the pool (NativeKernelBinding.cs); released with the expert.</summary>
    public NativeKernelBinding? Native { get; private set; }

    /// <summary>
    /// Records the native kernel decision (<see cref="ExpertLoader.BindNative"/>): made once, after the duplicate-id
    /// contest and before the expert is published in an op table, so only the package that won loads code.
    /// </summary>
    public void DecideNative(NativeKernelBinding? native, ExpertBinding binding)
    {
        Native = native;
        Binding = binding;
    }

    /// <summary>Live instances (idle in the pool) — for tests and diagnostics.</summary>
    public int IdleInstances => CurrentExecution?.Pool.IdleCount ?? 0;

    /// <summary>Set once the last reference is gone and instances are released.</summary>
    public bool IsReleased { get; private set; }

    public bool TryAcquire()
    {
        while (true)
        {
            int r = Volatile.Read(ref _refs);
            if (r == 0) return false;
            if (Interlocked.CompareExchange(ref _refs, r + 1, r) == r) return true;
        }
    }

    /// <summary>Drops a reference; the last one releases the pool. Returns true when this released it.</summary>
    public bool Release()
    {
        if (Interlocked.Decrement(ref _refs) != 0) return false;
        ExpertExecution? execution;
        lock (_gate)
        {
            IsReleased = true;
            execution = _execution;
            _activate = null;
            _pendingRuntimeId = null;
        }
        execution?.Pool.Clear();
        Native?.Dispose();
        return true;
    }

    /// <summary>
    /// The execution to call on: the current one, or — for an expert started on first call — the one created now
    /// (callers of the same expert wait for each other here, never for a background compile). Null when it cannot run
    /// (<see cref="ActivationFailure"/> says why) or has no execution.
    /// </summary>
    public ExpertExecution? Activate()
    {
        var current = Volatile.Read(ref _execution);
        if (current is not null) return current;
        lock (_gate)
        {
            if (_execution is not null || _activate is null) return _execution;
            var (execution, failure) = _activate(this);
            _activate = null;
            if (execution is null) { _activationFailure = failure ?? "it could not be started"; return null; }
            if (_execution is not null) { execution.Pool.Clear(); return _execution; } // a tier-up finished meanwhile
            Volatile.Write(ref _execution, execution);
            return execution;
        }
    }

    /// <summary>
    /// Makes <paramref name="next"/> the execution (tier-up); calls in flight finish on the old one, whose idle instances
    /// are released now and busy ones when they come back. Returns the runtime id it replaced, or null when the expert was
    /// released meanwhile (then <paramref name="next"/> is released instead).
    /// </summary>
    public string? SwapExecution(ExpertExecution next)
    {
        ExpertExecution? old;
        lock (_gate)
        {
            if (IsReleased)
            {
                next.Pool.Clear();
                return null;
            }
            old = _execution;
            Volatile.Write(ref _execution, next);
            _pendingRuntimeId = null;
        }
        old?.Pool.Clear();
        return old?.RuntimeId ?? "";
    }

    /// <summary>Records that tier-up failed: it stays where it is, and the listing says why.</summary>
    public void TierUpFailed(string reason)
    {
        _tierUpFailure = reason;
        _pendingRuntimeId = null;
    }

    public ExpertInfo ToInfo(IReadOnlyList<string> shadowed) => new()
    {
        Id = Id,
        Tier = Tier,
        Version = Package.Manifest?.Version ?? Metadata?.Version ?? "",
        Description = Package.Manifest?.Description is { Length: > 0 } d ? d : Metadata?.Description ?? "",
        Source = Package.Source,
        Manifest = Package.Manifest,
        Kind = Package.Kind,
        Status = Binding.Status,
        RuntimeId = Native is not null ? Binding.RuntimeId : CurrentExecution?.RuntimeId ?? Binding.RuntimeId, // a native kernel serves every call: the wasm execution is only the fallback
        PendingRuntimeId = Native is not null ? null : PendingRuntimeId,
        Reason = (_tierUpFailure, _activationFailure) switch
        {
            (null, null) => Binding.Reason,
            (_, { } a) => $"{Binding.Reason}; cannot start: {a}",
            ({ } t, _) => $"{Binding.Reason}; stays on {CurrentExecution?.RuntimeId}: {t}",
        },
        Lost = Binding.Lost,
        Fix = Binding.Fix,
        Ops = Metadata?.Ops ?? [],
        ShadowedOps = shadowed,
        Grants = Grants,
        Limits = Limits,
        RejectedUpdate = RejectedUpdate,
    };
}
