using Polymath.Experts;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// One loaded version of a package: metadata, binding, the compiled module (compiled once, on the bound runtime) and
/// its instance pool. Reference counted: the registry holds one reference while it is live, each call holds one while
/// it runs; when it is retired and the last call finishes, its instances are released.
/// </summary>
internal sealed class LoadedExpert
{
    private readonly ExpertInstancePool? _pool;
    private int _refs = 1;

    public LoadedExpert(string id, ExpertPackage package, ExpertMetadata? metadata, ExpertBinding binding, EffectiveLimits limits,
        WasiGrants grants, ExpertInstancePool? pool)
    {
        Id = id;
        Package = package;
        Metadata = metadata;
        Binding = binding;
        Limits = limits;
        Grants = grants;
        _pool = binding.Status == ExpertStatus.Unavailable ? null : pool;
    }

    public string Id { get; }
    public ExpertPackage Package { get; }
    public ExpertMetadata? Metadata { get; }
    public ExpertBinding Binding { get; }
    public EffectiveLimits Limits { get; }
    public WasiGrants Grants { get; }
    public byte Tier => Package.Manifest?.Tier ?? Metadata?.Tier ?? 255;
    public string? RejectedUpdate { get; set; }
    public bool IsCallable => _pool is not null;

    /// <summary>The native kernel serving the calls instead of the pool (NativeKernelBinding.cs); released with the expert.</summary>
    public NativeKernelBinding? Native { get; init; }

    /// <summary>Live instances (idle in the pool) — for tests and diagnostics.</summary>
    public int IdleInstances => _pool?.IdleCount ?? 0;

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
        IsReleased = true;
        _pool?.Clear();
        Native?.Dispose();
        return true;
    }

    /// <exception cref="InvalidOperationException">The expert is not callable.</exception>
    public ExpertInstance Rent(CallOptions options) =>
        (_pool ?? throw new InvalidOperationException($"expert '{Id}' is not callable")).Rent(options);

    public void Return(ExpertInstance instance)
    {
        if (_pool is null) instance.Dispose();
        else _pool.Return(instance);
    }

    public ExpertInfo ToInfo(IReadOnlyList<string> shadowed) => new()
    {
        Id = Id,
        Tier = Tier,
        Version = Package.Manifest?.Version ?? Metadata?.Version ?? "",
        Description = Package.Manifest?.Description is { Length: > 0 } d ? d : Metadata?.Description ?? "",
        Source = Package.Source,
        Kind = Package.Kind,
        Status = Binding.Status,
        RuntimeId = Binding.RuntimeId,
        Reason = Binding.Reason,
        Lost = Binding.Lost,
        Fix = Binding.Fix,
        Ops = Metadata?.Ops ?? [],
        ShadowedOps = shadowed,
        Grants = Grants,
        Limits = Limits,
        RejectedUpdate = RejectedUpdate,
    };
}
