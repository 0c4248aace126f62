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
/// <remarks>
/// One idle instance waits in a slot of its own (the one returned while the slot was empty): one exchange rents it and
/// one compare-exchange returns it, which is the whole cost of a call that finds the pool as the previous call left it
/// (the common case; a ConcurrentBag take and add cost a thread-local lookup and more interlocked operations each). The
/// others wait in a bag.
/// </remarks>
internal sealed class ExpertInstancePool(IWasmEngine engine, IWasmModule module, StoreLimits limits, WasiOptions wasi, int maxIdle)
{
    private readonly ConcurrentBag<ExpertInstance> _idle = [];
    private ExpertInstance? _last; // the slot
    private int _idleCount; // in the bag
    private volatile bool _closed;

    /// <summary>Idle instances (diagnostics).</summary>
    public int IdleCount => Volatile.Read(ref _idleCount) + (Volatile.Read(ref _last) is null ? 0 : 1);

    public ExpertInstance Rent(CallOptions options)
    {
        if (Interlocked.Exchange(ref _last, null) is { } last) return last;
        if (_idle.TryTake(out var instance)) { Interlocked.Decrement(ref _idleCount); return instance; }
        return ExpertInstance.Create(engine, module, limits, wasi, options);
    }

    public void Return(ExpertInstance instance)
    {
        if (_closed || maxIdle == 0) { instance.Dispose(); return; }
        if (Interlocked.CompareExchange(ref _last, instance, null) is null)
        {
            // Clear may have run between the check and the exchange: take it back out then.
            if (_closed && Interlocked.Exchange(ref _last, null) is { } lateLast) lateLast.Dispose();
            return;
        }
        if (Volatile.Read(ref _idleCount) >= maxIdle - 1) { instance.Dispose(); return; }
        Interlocked.Increment(ref _idleCount);
        _idle.Add(instance);
        if (_closed && _idle.TryTake(out var late)) { Interlocked.Decrement(ref _idleCount); late.Dispose(); }
    }

    /// <summary>Disposes every idle instance and keeps none from now on.</summary>
    public void Clear()
    {
        _closed = true;
        Interlocked.Exchange(ref _last, null)?.Dispose();
        while (_idle.TryTake(out var i)) { Interlocked.Decrement(ref _idleCount); i.Dispose(); }
    }
}
