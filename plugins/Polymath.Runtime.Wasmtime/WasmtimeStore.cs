using System.Runtime.CompilerServices;
using Polymath.Sdk;
using Polymath.Wasm;
using Wasmtime;
using ValueType = Polymath.Wasm.ValueType;
using Global = Wasmtime.Global;

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// A Wasmtime store with the SDK's limits: memory and table caps as store limits, fuel per call, a cancellation token
/// per call checked at each epoch tick, and calls entered only on threads with enough stack. One call at a time.
/// The native store is made on first use, in the engine variant that use needs: the first instantiation decides (fuel
/// metering when its <see cref="CallOptions.Fuel"/> is set, epoch interruption when its token can be cancelled); a
/// memory, table or global created, or a host function called, before any instantiation makes it fully instrumented
/// (it can then take any call). Host functions wait for that decision. A later call asking for a limit the store's code
/// cannot enforce is refused (<see cref="InvalidOperationException"/>) before it runs.
/// </summary>
internal sealed class WasmtimeStore : IWasmStore
{
    /// <summary>Fuel set for calls without a budget (Wasmtime meters every call once fuel is on in the engine).</summary>
    private const ulong UnlimitedFuel = long.MaxValue;


    private readonly WasmtimeEngine _engine;
    private readonly List<ValueBox[]> _argumentBuffers = new();
    private readonly List<WasmValue[]> _hostBuffers = new();
    private readonly WtHostCallContext _hostContext = new();
    private readonly Dictionary<IWasmFunction, WtFunction> _foreign = new(ReferenceEqualityComparer.Instance);
    private WasmtimeModule? _lastModule;
    private CancellationToken _token;
    private Exception? _pending;
    private bool _interrupted;
    private int _depth;
    private int _hostDepth;
    private bool _fuelUnlimited;
    private Store? _native;
    private Instrumentation _instrumentation;
    private bool _metered;
    private bool _interruptible;

    public WasmtimeStore(WasmtimeEngine engine, StoreLimits limits)
    {
        _engine = engine;
        Limits = limits;
    }

    /// <summary>The native store (fully instrumented when nothing has decided yet).</summary>
    public Store Native => _native ?? Materialize(Instrumentation.Fuel | Instrumentation.Epoch);

    /// <summary>What this store's code is instrumented for (meaningful once <see cref="Native"/> exists).</summary>
    public Instrumentation Instrumentation => _instrumentation;

    private Store Materialize(Instrumentation instrumentation)
    {
        var native = new Store(_engine.Variant(instrumentation).Engine);
        native.SetLimits(
            memorySize: (long)Limits.MaxMemoryPages * MemoryType.PageSize,
            tableElements: Limits.MaxTableElements);
        _instrumentation = instrumentation;
        _metered = instrumentation.HasFlag(Instrumentation.Fuel);
        _interruptible = instrumentation.HasFlag(Instrumentation.Epoch);
        if (_interruptible)
        {
            // One tick, renewed by the callback, for the store's life: no call sets a deadline (no per-call P/Invoke);
            // a call finding it passed runs the callback once at its first check, then once per tick.
            native.SetEpochDeadlineCallback(OnEpochDeadline);
            native.SetEpochDeadline(1);
        }
        _fuelUnlimited = !_metered; // a store without fuel has none to reset
        _native = native;
        return native;
    }

    /// <summary>The instrumentation a first instantiation with <paramref name="options"/> asks for.</summary>
    private static Instrumentation Needs(in CallOptions options) =>
        (options.Fuel is not null ? Instrumentation.Fuel : Instrumentation.None)
        | (options.CancellationToken.CanBeCanceled ? Instrumentation.Epoch : Instrumentation.None);

    public StoreLimits Limits { get; }
    public ulong LastCallFuelConsumed { get; private set; }

    // ------------------------------------------------------------------ externs

    public IWasmFunction CreateHostFunction(FuncType type, HostFunctionCallback callback)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        return new WtFunction(this, type, () => Function.FromCallback(Native,
            (Caller caller, ReadOnlySpan<ValueBox> args, Span<ValueBox> results) => CallHost(type, callback, caller, args, results),
            Values.ToKinds(type.Parameters), Values.ToKinds(type.Results)));
    }

    public IWasmMemory CreateMemory(MemoryType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        try { return new WtMemory(this, new Memory(Native, type.Limits.Min, type.Limits.Max, false)); }
        catch (WasmtimeException e) { throw new WasmLinkException($"cannot create a memory of {type.Limits.Min} pages (StoreLimits.MaxMemoryPages = {Limits.MaxMemoryPages}): {OneLine(e)}"); }
    }

    public IWasmTable CreateTable(TableType type, WasmValue initial)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (initial.Type != type.ElementType) throw new ArgumentException($"expected a {type.ElementType.ToWat()} value, got {initial.Type.ToWat()}", nameof(initial));
        try { return new WtTable(this, new Table(Native, Values.ToTableKind(type.ElementType), Values.ToObject(this, initial), type.Limits.Min, type.Limits.Max ?? uint.MaxValue)); }
        catch (WasmtimeException e) { throw new WasmLinkException($"cannot create a table of {type.Limits.Min} elements (StoreLimits.MaxTableElements = {Limits.MaxTableElements}): {OneLine(e)}"); }
    }

    public IWasmGlobal CreateGlobal(GlobalType type, WasmValue value)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (value.Type != type.ValueType) throw new ArgumentException($"expected a {type.ValueType.ToWat()} value, got {value.Type.ToWat()}", nameof(value));
        var native = new Global(Native, Values.ToKind(type.ValueType), Values.ToObject(this, value), type.Mutable ? Mutability.Mutable : Mutability.Immutable);
        return new WtGlobal(this, native, type);
    }

    /// <summary>A Wasmtime function that came back from wasm (result, table, global) as an SDK function.</summary>
    internal WtFunction Wrap(Function function) => new(this, function, Values.ToFuncType(function), _lastModule);

    /// <summary>The Wasmtime function for an SDK funcref: ours as is, a foreign runtime's behind a host function.</summary>
    internal Function Unwrap(IWasmFunction? function, object? reference)
    {
        if (function is null)
        {
            if (reference is not null) throw new ArgumentException("a funcref value must hold an IWasmFunction");
            return Function.Null;
        }
        if (function is WtFunction own && own.Store == this) return own.Native;
        if (!_foreign.TryGetValue(function, out var wrapper))
        {
            var foreign = function;
            wrapper = (WtFunction)CreateHostFunction(foreign.Type, (ctx, args, results) =>
                foreign.Invoke(args, results, new CallOptions { CancellationToken = ctx.CancellationToken }));
            _foreign.Add(function, wrapper);
        }
        return wrapper.Native;
    }

    // ------------------------------------------------------------------ instantiation

    public IWasmInstance Instantiate(IWasmModule module, IReadOnlyList<IWasmExtern> imports, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(imports);
        if (module is not WasmtimeModule wm || wm.Engine != _engine)
            throw new ArgumentException("the module was not compiled by this store's Wasmtime engine", nameof(module));
        var def = wm.Definition;
        if (imports.Count != def.Imports.Count)
            throw new WasmLinkException($"expected {def.Imports.Count} imports, got {imports.Count}");
        if (_native is null) Materialize(Needs(options));
        var natives = new object[imports.Count];
        for (int i = 0; i < natives.Length; i++)
        {
            var imp = def.Imports[i];
            var ext = imports[i];
            string what = WasmImportCheck.Describe(i, imp);
            WasmImportCheck.Kind(what, imp.Kind, ext);
            natives[i] = ImportNative(what, imp, def, ext);
        }

        _lastModule = wm;
        Instance instance;
        if (_depth == 0 && ThreadStack.Remaining() < WasmtimeEngine.MaxWasmStackBytes + WasmtimeEngine.HostStackMarginBytes)
        {
            Instance? made = null;
            GuestThread.Run(WasmtimeEngine.GuestThreadStackBytes, (this, wm, natives, options), s => made = s.Item1.InstantiateHere(s.wm, s.natives, s.options));
            instance = made!;
        }
        else
        {
            instance = InstantiateHere(wm, natives, options);
        }

        var exports = new Dictionary<string, IWasmExtern>(StringComparer.Ordinal);
        foreach (var e in def.Exports)
        {
            exports[e.Name] = e.Kind switch
            {
                ExternKind.Function => new WtFunction(this, instance.GetFunction(e.Name)!, def.GetFunctionType(e.Index), wm),
                ExternKind.Memory => new WtMemory(this, instance.GetMemory(e.Name)!),
                ExternKind.Table => new WtTable(this, instance.GetTable(e.Name)!),
                _ => new WtGlobal(this, instance.GetGlobal(e.Name)!, GlobalTypeOf(def, e.Index)),
            };
        }
        return new WtInstance(wm, exports);
    }

    /// <summary>An import checked against the module's import type (<see cref="WasmImportCheck"/>, one wording for every tier) as the package's object.</summary>
    private object ImportNative(string what, Polymath.Wasm.Import imp, Polymath.Wasm.Module def, IWasmExtern ext)
    {
        switch (ext)
        {
            case IWasmFunction f:
                WasmImportCheck.Function(what, def.Types[(int)imp.TypeIndex], f.Type);
                return Unwrap(f, f);
            case WtMemory m when m.Store == this:
                WasmImportCheck.Memory(what, imp.Memory!, m.Pages, m.Type.Limits.Max);
                return m.Native;
            case WtTable t when t.Store == this:
                WasmImportCheck.Table(what, imp.Table!, t.Type.ElementType, t.Size, t.Type.Limits.Max);
                return t.Native;
            case WtGlobal g when g.Store == this:
                WasmImportCheck.Global(what, imp.Global!, g.Type);
                return g.Native;
            default:
                throw WasmImportCheck.Foreign(what, imp.Kind);
        }
    }

    private Instance InstantiateHere(WasmtimeModule module, object[] natives, CallOptions options)
    {
        bool outer = BeginCall(options);
        try
        {
            return new Instance(Native, module.For(_instrumentation), natives);
        }
        catch (TrapException e)
        {
            throw Translate(e, module);
        }
        catch (WasmtimeException e)
        {
            if (_interrupted || _pending is not null) throw Translate(e, module);
            throw new WasmLinkException($"cannot instantiate: {OneLine(e)}");
        }
        finally
        {
            EndCall(outer, options);
        }
    }

    private static GlobalType GlobalTypeOf(Polymath.Wasm.Module def, uint globalidx)
    {
        int imported = 0;
        foreach (var imp in def.Imports)
        {
            if (imp.Kind != ExternKind.Global) continue;
            if (imported++ == globalidx) return imp.Global!;
        }
        return def.Globals[(int)globalidx - def.ImportedGlobalCount].Type;
    }

    // ------------------------------------------------------------------ calls

    internal void Invoke(WtFunction f, ReadOnlySpan<WasmValue> args, Span<WasmValue> results, CallOptions options)
    {
        WasmCallCheck.Arguments(f.Type, args, results);

        if (_depth == 0 && ThreadStack.Remaining() < WasmtimeEngine.MaxWasmStackBytes + WasmtimeEngine.HostStackMarginBytes)
        {
            InvokeOnGuestThread(f, args, results, options);
            return;
        }
        InvokeHere(f, args, results, options);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void InvokeOnGuestThread(WtFunction f, ReadOnlySpan<WasmValue> args, Span<WasmValue> results, CallOptions options)
    {
        var a = args.ToArray();
        var r = new WasmValue[f.Type.Results.Length];
        GuestThread.Run(WasmtimeEngine.GuestThreadStackBytes, (this, f, a, r, options), s => s.Item1.InvokeHere(s.f, s.a, s.r, s.options));
        r.CopyTo(results);
    }

    private void InvokeHere(WtFunction f, ReadOnlySpan<WasmValue> args, Span<WasmValue> results, CallOptions options)
    {
        var type = f.Type;
        bool outer = BeginCall(options);
        int depth = _depth - 1;
        try
        {
            switch (f.Shape)
            {
                case TypedShape.V: ((Action)f.Typed!)(); return;
                case TypedShape.I: results[0] = WasmValue.I32(((Func<int>)f.Typed!)()); return;
                case TypedShape.IV: ((Action<int>)f.Typed!)(args[0].AsI32); return;
                case TypedShape.II: results[0] = WasmValue.I32(((Func<int, int>)f.Typed!)(args[0].AsI32)); return;
                case TypedShape.IIV: ((Action<int, int>)f.Typed!)(args[0].AsI32, args[1].AsI32); return;
                case TypedShape.III: results[0] = WasmValue.I32(((Func<int, int, int>)f.Typed!)(args[0].AsI32, args[1].AsI32)); return;
                case TypedShape.IIII: results[0] = WasmValue.I32(((Func<int, int, int, int>)f.Typed!)(args[0].AsI32, args[1].AsI32, args[2].AsI32)); return;
                case TypedShape.IIIII: results[0] = WasmValue.I32(((Func<int, int, int, int, int>)f.Typed!)(args[0].AsI32, args[1].AsI32, args[2].AsI32, args[3].AsI32)); return;
            }
            if (depth == _argumentBuffers.Count) _argumentBuffers.Add(new ValueBox[Math.Max(4, args.Length)]);
            var boxes = _argumentBuffers[depth];
            if (boxes.Length < args.Length) _argumentBuffers[depth] = boxes = new ValueBox[args.Length];
            for (int i = 0; i < args.Length; i++) boxes[i] = Values.ToBox(this, args[i]);
            object? result = f.Native.Invoke(new ReadOnlySpan<ValueBox>(boxes, 0, args.Length));
            Array.Clear(boxes, 0, args.Length);
            switch (type.Results.Length)
            {
                case 0:
                    break;
                case 1:
                    results[0] = Values.FromObject(this, type.Results[0], result);
                    break;
                default:
                    var all = (object?[])result!;
                    for (int i = 0; i < type.Results.Length; i++) results[i] = Values.FromObject(this, type.Results[i], all[i]);
                    break;
            }
        }
        catch (WasmtimeException e)
        {
            throw Translate(e, f.Module ?? _lastModule);
        }
        finally
        {
            EndCall(outer, options);
        }
    }

    /// <summary>Sets fuel and the epoch deadline for an outermost call; returns whether this is one.</summary>
    private bool BeginCall(in CallOptions options)
    {
        bool outer = _depth == 0;
        if (outer)
        {
            if (_native is null) Materialize(Instrumentation.Fuel | Instrumentation.Epoch); // a host function called before any instantiation
            if (options.Fuel is not null && !_metered)
                throw new InvalidOperationException(
                    "CallOptions.Fuel is set, but this Wasmtime store runs code compiled without fuel metering (its first " +
                    "instantiation set no fuel budget); give the first Instantiate of a store that makes budgeted calls a budget too");
            if (options.CancellationToken.CanBeCanceled && !_interruptible)
                throw new InvalidOperationException(
                    "CallOptions.CancellationToken can be cancelled, but this Wasmtime store runs code compiled without epoch " +
                    "interruption (its first instantiation had no cancellable token); give the first Instantiate of a store " +
                    "that makes cancellable calls a cancellable token too");
        }
        _depth++;
        if (outer)
        {
            _pending = null;
            _interrupted = false;
            _token = options.CancellationToken;
            // Unlimited calls draw on long.MaxValue units, which never runs out, so the counter is only reset after a
            // budgeted call. The epoch deadline is the store's (see Materialize): nothing to do per call.
            if (!_metered)
            {
                // No fuel in this engine: nothing to set or read.
            }
            else if (options.Fuel is ulong fuel)
            {
                Native.Fuel = Math.Min(fuel, UnlimitedFuel);
                _fuelUnlimited = false;
            }
            else if (!_fuelUnlimited)
            {
                Native.Fuel = UnlimitedFuel;
                _fuelUnlimited = true;
            }
        }
        return outer;
    }

    private void EndCall(bool outer, in CallOptions options)
    {
        _depth--;
        if (!outer) return;
        LastCallFuelConsumed = options.Fuel is ulong budget ? Math.Min(budget, UnlimitedFuel) - Native.Fuel : 0;
        _token = default;
    }

    private ulong OnEpochDeadline(Store store)
    {
        if (_token.IsCancellationRequested)
        {
            _interrupted = true;
            throw new OperationCanceledException(_token);
        }
        return 1; // look again at the next tick (an uncancellable call pays one callback per tick)
    }

    private void CallHost(FuncType type, HostFunctionCallback callback, Caller caller, ReadOnlySpan<ValueBox> args, Span<ValueBox> results)
    {
        int np = type.Parameters.Length, nr = type.Results.Length;
        if (_hostDepth == _hostBuffers.Count) _hostBuffers.Add(new WasmValue[Math.Max(8, np + nr)]);
        var buf = _hostBuffers[_hostDepth];
        if (buf.Length < np + nr) _hostBuffers[_hostDepth] = buf = new WasmValue[np + nr];
        try
        {
            for (int i = 0; i < np; i++) buf[i] = Values.FromBox(this, type.Parameters[i], args[i]);
            for (int i = 0; i < nr; i++) buf[np + i] = WasmValue.Default(type.Results[i]);
            var savedMemory = _hostContext.Memory;
            var memory = caller.GetMemory("memory");
            _hostContext.Memory = memory is null ? null : new WtMemory(this, memory);
            _hostContext.Token = _token;
            _hostDepth++;
            try
            {
                callback(_hostContext, new ReadOnlySpan<WasmValue>(buf, 0, np), new Span<WasmValue>(buf, np, nr));
            }
            finally
            {
                _hostDepth--;
                _hostContext.Memory = savedMemory;
            }
            for (int i = 0; i < nr; i++)
            {
                var v = buf[np + i];
                if (v.Type != type.Results[i])
                    throw new WasmTrapException(TrapKind.HostError, $"host function returned {v.Type.ToWat()} for result {i}, expected {type.Results[i].ToWat()}");
                results[i] = Values.ToBox(this, v);
            }
        }
        catch (Exception e)
        {
            // The package turns the exception into a trap carrying only its message; keep the exception itself so the
            // call that trapped rethrows it (a WasmTrapException keeps its kind, e.g. proc_exit's Exit).
            _pending = e;
            throw;
        }
        finally
        {
            Array.Clear(buf, 0, np + nr);
        }
    }

    private Exception Translate(WasmtimeException e, WasmtimeModule? module)
    {
        var stack = Backtrace(e, module);
        if (_pending is { } pending)
        {
            _pending = null;
            return pending is WasmTrapException trap
                ? trap
                : new WasmTrapException(TrapKind.HostError, $"host function failed: {pending.Message}", stack, pending);
        }
        if (_interrupted) return new WasmTrapException(TrapKind.Interrupted, null, stack, e);
        if (e is TrapException trapException)
        {
            var kind = trapException.Type switch
            {
                TrapCode.StackOverflow => TrapKind.CallStackExhausted,
                TrapCode.MemoryOutOfBounds or TrapCode.HeapMisaligned => TrapKind.MemoryOutOfBounds,
                TrapCode.TableOutOfBounds => TrapKind.TableOutOfBounds,
                TrapCode.IndirectCallToNull => TrapKind.UninitializedElement,
                TrapCode.BadSignature => TrapKind.IndirectCallTypeMismatch,
                TrapCode.IntegerOverflow => TrapKind.IntegerOverflow,
                TrapCode.IntegerDivisionByZero => TrapKind.IntegerDivideByZero,
                TrapCode.BadConversionToInteger => TrapKind.InvalidConversionToInteger,
                TrapCode.Unreachable => TrapKind.Unreachable,
                TrapCode.Interrupt => TrapKind.Interrupted,
                TrapCode.OutOfFuel => TrapKind.OutOfFuel,
                _ => TrapKind.HostError,
            };
            return new WasmTrapException(kind, kind == TrapKind.HostError ? $"Wasmtime trap: {OneLine(e)}" : null, stack, e);
        }
        return new WasmTrapException(TrapKind.HostError, $"Wasmtime error: {OneLine(e)}", stack, e);
    }

    private static IReadOnlyList<WasmStackFrame> Backtrace(WasmtimeException e, WasmtimeModule? module)
    {
        var frames = e.Frames;
        if (frames is null || frames.Count == 0 || module is null) return [];
        var list = new WasmStackFrame[Math.Min(frames.Count, 64)];
        for (int i = 0; i < list.Length; i++) list[i] = module.Describe(frames[i]);
        return list;
    }

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");

    public void Dispose() => _native?.Dispose();
}
