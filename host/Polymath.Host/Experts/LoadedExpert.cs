using System.Collections.Concurrent;
using Polymath.Experts;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>What the registry shows about one expert (or one package that could not be loaded).</summary>
public sealed record ExpertInfo
{
    /// <summary>Expert id (for a package that failed before its id was known: the file or folder name).</summary>
    public required string Id { get; init; }
    /// <summary>Tier.</summary>
    public byte Tier { get; init; }
    /// <summary>Version.</summary>
    public string Version { get; init; } = "";
    /// <summary>Description.</summary>
    public string Description { get; init; } = "";
    /// <summary>The package file or folder.</summary>
    public required string Source { get; init; }
    /// <summary>Package form.</summary>
    public ExpertPackageKind? Kind { get; init; }
    /// <summary>Bound, degraded or unavailable.</summary>
    public required ExpertStatus Status { get; init; }
    /// <summary>The runtime it is bound to.</summary>
    public string? RuntimeId { get; init; }
    /// <summary>Why it has that status.</summary>
    public required string Reason { get; init; }
    /// <summary>For degraded: what it lost.</summary>
    public IReadOnlyList<string> Lost { get; init; } = [];
    /// <summary>For unavailable: what would fix it.</summary>
    public string? Fix { get; init; }
    /// <summary>Its ops.</summary>
    public IReadOnlyList<OpSpec> Ops { get; init; } = [];
    /// <summary>Ops it advertises that a lower-tier (or earlier) expert serves instead.</summary>
    public IReadOnlyList<string> ShadowedOps { get; init; } = [];
    /// <summary>The grants in force.</summary>
    public WasiGrants Grants { get; init; }
    /// <summary>Limits in force.</summary>
    public EffectiveLimits? Limits { get; init; }
    /// <summary>When a newer version of this package was rejected and this one keeps serving: why.</summary>
    public string? RejectedUpdate { get; init; }
}

/// <summary>
/// One loaded version of a package: metadata, binding, compiled module and its instance pool. Reference counted:
/// the registry holds one reference while it is live, each call holds one while it runs; when it is retired and
/// the last call finishes, its instances are released.
/// </summary>
internal sealed class LoadedExpert
{
    private readonly ConcurrentBag<ExpertInstance> _idle = [];
    private int _idleCount;
    private int _refs = 1;
    private readonly int _maxIdle;
    private readonly IWasiOutputSink? _output;

    public LoadedExpert(ExpertPackage package, ExpertMetadata? metadata, ExpertBinding binding, IWasmModule? module,
        EffectiveLimits limits, WasiGrants grants, IWasiOutputSink? output, int maxIdle, string id)
    {
        Package = package;
        Metadata = metadata;
        Binding = binding;
        Module = module;
        Limits = limits;
        Grants = grants;
        _output = output;
        _maxIdle = maxIdle;
        Id = id;
        StoreLimits = new StoreLimits { MaxMemoryPages = limits.MemoryPages, MaxCallDepth = limits.MaxCallDepth };
        Wasi = new WasiOptions { Grants = grants, Output = output };
    }

    public string Id { get; }
    public ExpertPackage Package { get; }
    public ExpertMetadata? Metadata { get; }
    public ExpertBinding Binding { get; }
    public IWasmModule? Module { get; }
    public EffectiveLimits Limits { get; }
    public WasiGrants Grants { get; }
    public StoreLimits StoreLimits { get; }
    public WasiOptions Wasi { get; }
    public byte Tier => Package.Manifest?.Tier ?? Metadata?.Tier ?? 255;
    public string? RejectedUpdate { get; set; }
    public bool IsCallable => Binding.Status != ExpertStatus.Unavailable && Module is not null;

    /// <summary>Live instances (idle in the pool) — for tests and diagnostics.</summary>
    public int IdleInstances => Volatile.Read(ref _idleCount);

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
        while (_idle.TryTake(out var i)) { Interlocked.Decrement(ref _idleCount); i.Dispose(); }
        return true;
    }

    public ExpertInstance Rent(CallOptions options)
    {
        if (_idle.TryTake(out var instance)) { Interlocked.Decrement(ref _idleCount); return instance; }
        return ExpertInstance.Create(Binding.Runtime!.Engine, Module!, StoreLimits, Wasi, options);
    }

    public void Return(ExpertInstance instance)
    {
        if (IsReleased || Volatile.Read(ref _idleCount) >= _maxIdle) { instance.Dispose(); return; }
        Interlocked.Increment(ref _idleCount);
        _idle.Add(instance);
        if (IsReleased && _idle.TryTake(out var late)) { Interlocked.Decrement(ref _idleCount); late.Dispose(); }
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
