using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Polymath.Runtime.Core;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

/// <summary>The compiler runtime's store: owns instances and host objects, runs calls (limits, traps).</summary>
internal sealed partial class CompilerStore : IWasmStore
{
    private readonly CompilerEngine _engine;
    private readonly HostBuffers _hostBuffers = new();
    private readonly ConditionalWeakTable<IWasmFunction, WasmFunc> _adopted = new();
    private int _running;

    internal readonly StoreState State;
    internal readonly NoCallerContext NoCaller;
    internal CancellationToken CurrentToken;

    public CompilerStore(CompilerEngine engine, StoreLimits limits)
    {
        _engine = engine;
        Limits = limits;
        State = new StoreState { MaxDepth = limits.MaxCallDepth };
        NoCaller = new NoCallerContext(() => CurrentToken);
    }

    public StoreLimits Limits { get; }
    public ulong LastCallFuelConsumed { get; private set; }
    internal CompilerEngine Engine => _engine;

    internal WasmValue[] RentHostBuffer(int size) => _hostBuffers.Rent(size);

    internal void ReturnHostBuffer() => _hostBuffers.Return();

    /// <summary>A function of another store or runtime, wrapped once as a host function of this store.</summary>
    internal WasmFunc Adopt(IWasmFunction foreign)
    {
        if (foreign is WasmFunc own && own.Store == this) return own;
        return _adopted.GetValue(foreign, f =>
        {
            HostFunctionCallback cb = (ctx, args, results) => f.Invoke(args, results, new CallOptions { CancellationToken = ctx.CancellationToken });
            return new WasmFunc(this, f.Type, _engine.GetSignature(f.Type)) { Host = new HostBinding(this, f.Type, cb) };
        });
    }

    /// <summary>An API value as the object generated code holds (funcref: a function of this store; externref: the object).</summary>
    internal object? ToReference(ValueType type, WasmValue value)
    {
        if (value.Reference is null) return null;
        if (type == ValueType.FuncRef)
            return value.Reference is IWasmFunction f ? Adopt(f) : throw new ArgumentException("a funcref value must hold an IWasmFunction");
        return value.Reference;
    }

    internal WasmValue ToValue(ValueType type, object? reference) =>
        type == ValueType.FuncRef ? WasmValue.FuncRef((IWasmFunction?)reference) : WasmValue.ExternRef(reference);

    public IWasmFunction CreateHostFunction(FuncType type, HostFunctionCallback callback)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        return new WasmFunc(this, type, _engine.GetSignature(type)) { Host = new HostBinding(this, type, callback) };
    }

    public IWasmMemory CreateMemory(MemoryType type) => new MemoryInstance(this, type);

    public IWasmTable CreateTable(TableType type, WasmValue initial) => new TableInstance(this, type, ToReference(type.ElementType, initial));

    public IWasmGlobal CreateGlobal(GlobalType type, WasmValue value)
    {
        var g = new GlobalInstance(this, type);
        g.SetValue(value);
        return g;
    }

    public void Dispose() { }

    /// <summary>Calls <paramref name="f"/> from .NET: checks the arguments, sets up fuel, cancellation and depth, runs the entry thunk.</summary>
    internal void Invoke(WasmFunc f, ReadOnlySpan<WasmValue> args, Span<WasmValue> results, CallOptions options)
    {
        WasmCallCheck.Arguments(f.Type, args, results);

        var state = State;
        int savedDepth = state.Depth;
        long savedFuel = state.Fuel;
        int savedInterrupted = state.Interrupted;
        var savedToken = CurrentToken;
        var savedCaller = state.Caller;
        bool savedMetered = state.Metered;
        nuint savedFloor = state.StackFloor;
        bool metered = savedMetered || options.Fuel is not null || options.CancellationToken.CanBeCanceled;
        bool outermost = _running == 0;
        long budget = options.Fuel is ulong fuel ? (long)Math.Min(fuel, (ulong)long.MaxValue) : long.MaxValue;
        if (outermost || options.Fuel is not null) state.Fuel = budget;
        if (outermost || options.CancellationToken.CanBeCanceled)
        {
            CurrentToken = options.CancellationToken;
            state.Interrupted = options.CancellationToken.IsCancellationRequested ? 1 : 0;
        }
        CancellationTokenRegistration registration = default;
        if (options.CancellationToken.CanBeCanceled)
            registration = options.CancellationToken.UnsafeRegister(static s => Volatile.Write(ref ((StoreState)s!).Interrupted, 1), state);
        _running++;
        try
        {
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw new WasmTrapException(TrapKind.CallStackExhausted, "call stack exhausted (host re-entry nesting)", [new WasmStackFrame(f.FuncIndex, Describe(f))]);
            if (f.Host is not null) state.Caller = null;
            state.Metered = metered;
            state.StackFloor = nuint.MaxValue; // this call may run on another thread than the last: the first entry asks
            var target = f.GetTyped(metered);
            f.Signature.Entry(target, ref Unsafe.AsRef(in MemoryMarshal.GetReference(args)), ref MemoryMarshal.GetReference(results), this);
        }
        catch (InvalidProgramException e)
        {
            throw new WasmTrapException(TrapKind.HostError, $"the compiler runtime generated invalid code for {Describe(f)}: {e.Message}", null, e);
        }
        finally
        {
            _running--;
            registration.Dispose();
            LastCallFuelConsumed = options.Fuel is null ? 0 : (ulong)(budget - Math.Max(state.Fuel, 0));
            state.Depth = savedDepth;
            state.Caller = savedCaller;
            state.Metered = savedMetered;
            state.StackFloor = savedFloor;
            if (!outermost)
            {
                if (options.Fuel is not null) state.Fuel = savedFuel - (budget - Math.Max(state.Fuel, 0));
                if (options.CancellationToken.CanBeCanceled) { state.Interrupted = savedInterrupted; CurrentToken = savedToken; }
            }
            else CurrentToken = default;
        }
    }

    private static string Describe(WasmFunc f) =>
        f.Instance?.Module.Definition.GetFunctionName(f.FuncIndex) ?? $"func[{f.FuncIndex}]";
}
