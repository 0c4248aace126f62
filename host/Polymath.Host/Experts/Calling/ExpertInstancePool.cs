using System.Collections.Concurrent;
using Polymath.Experts;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// Idle instances of one compiled expert module, each in its own store with the expert's limits and linked (through
/// its own <see cref="WasiPreview1"/> linker, so per-instance WASI state such as the cputime clocks stays per instance)
/// with its grants. Rent gives an idle instance or instantiates a new one; a healthy instance goes back (up to the cap), a
/// trapped one is disposed by the caller. After <see cref="Clear"/> nothing is kept.
/// </summary>
internal sealed class ExpertInstancePool(IWasmEngine engine, IWasmModule module, StoreLimits limits, WasiOptions wasi, int maxIdle)
{
    private readonly ConcurrentBag<ExpertInstance> _idle = [];
    private int _idleCount;
    private volatile bool _closed;

    /// <summary>Idle instances (diagnostics).</summary>
    public int IdleCount => Volatile.Read(ref _idleCount);

    public ExpertInstance Rent(CallOptions options)
    {
        if (_idle.TryTake(out var instance)) { Interlocked.Decrement(ref _idleCount); return instance; }
        return ExpertInstance.Create(engine, module, limits, wasi, options);
    }

    public void Return(ExpertInstance instance)
    {
        if (_closed || Volatile.Read(ref _idleCount) >= maxIdle) { instance.Dispose(); return; }
        Interlocked.Increment(ref _idleCount);
        _idle.Add(instance);
        if (_closed && _idle.TryTake(out var late)) { Interlocked.Decrement(ref _idleCount); late.Dispose(); }
    }

    /// <summary>Disposes every idle instance and keeps none from now on.</summary>
    public void Clear()
    {
        _closed = true;
        while (_idle.TryTake(out var i)) { Interlocked.Decrement(ref _idleCount); i.Dispose(); }
    }
}
