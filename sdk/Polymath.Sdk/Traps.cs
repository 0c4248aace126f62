namespace Polymath.Sdk;

/// <summary>Why a WebAssembly execution trapped. The first group are the spec's traps; the rest are host limits.</summary>
public enum TrapKind
{
    /// <summary>The <c>unreachable</c> instruction.</summary>
    Unreachable,
    /// <summary>Memory access (or memory.fill/copy/init, data segment) out of bounds.</summary>
    MemoryOutOfBounds,
    /// <summary>Table access (or table.fill/copy/init, element segment) out of bounds.</summary>
    TableOutOfBounds,
    /// <summary>Signed integer overflow (<c>i32.div_s</c> of INT_MIN by -1).</summary>
    IntegerOverflow,
    /// <summary>Integer division or remainder by zero.</summary>
    IntegerDivideByZero,
    /// <summary>Float-to-int conversion of NaN or an out-of-range value.</summary>
    InvalidConversionToInteger,
    /// <summary><c>call_indirect</c> to a function of another type.</summary>
    IndirectCallTypeMismatch,
    /// <summary><c>call_indirect</c> index outside the table.</summary>
    UndefinedElement,
    /// <summary><c>call_indirect</c> to a null table element.</summary>
    UninitializedElement,
    /// <summary>The call depth limit was reached (infinite or too deep recursion).</summary>
    CallStackExhausted,
    /// <summary>The call's fuel ran out.</summary>
    OutOfFuel,
    /// <summary>The call was cancelled or timed out.</summary>
    Interrupted,
    /// <summary>A host function threw.</summary>
    HostError,
    /// <summary>The guest asked to exit (WASI <c>proc_exit</c>); <see cref="WasmTrapException.ExitCode"/> holds the code.</summary>
    Exit,
}

/// <summary>One frame of a wasm stack trace.</summary>
/// <param name="FunctionIndex">The funcidx.</param>
/// <param name="FunctionName">Its name from the name section or exports, if known.</param>
public readonly record struct WasmStackFrame(uint FunctionIndex, string? FunctionName)
{
    /// <inheritdoc />
    public override string ToString() => FunctionName is null ? $"func[{FunctionIndex}]" : $"{FunctionName} (func[{FunctionIndex}])";
}

/// <summary>A WebAssembly trap: the kind and the wasm stack at the point of the trap (innermost first).</summary>
public sealed class WasmTrapException : Exception
{
    /// <summary>Creates a trap.</summary>
    public WasmTrapException(TrapKind kind, string? message = null, IReadOnlyList<WasmStackFrame>? stack = null, Exception? inner = null)
        : base(message ?? DefaultMessage(kind), inner)
    {
        Kind = kind;
        WasmStack = stack ?? [];
    }

    /// <summary>The trap kind.</summary>
    public TrapKind Kind { get; }

    /// <summary>The wasm call stack, innermost frame first.</summary>
    public IReadOnlyList<WasmStackFrame> WasmStack { get; }

    /// <summary>For <see cref="TrapKind.Exit"/>: the exit code.</summary>
    public int ExitCode { get; init; }

    /// <summary>The spec testsuite's wording for each kind.</summary>
    public static string DefaultMessage(TrapKind kind) => kind switch
    {
        TrapKind.Unreachable => "unreachable",
        TrapKind.MemoryOutOfBounds => "out of bounds memory access",
        TrapKind.TableOutOfBounds => "out of bounds table access",
        TrapKind.IntegerOverflow => "integer overflow",
        TrapKind.IntegerDivideByZero => "integer divide by zero",
        TrapKind.InvalidConversionToInteger => "invalid conversion to integer",
        TrapKind.IndirectCallTypeMismatch => "indirect call type mismatch",
        TrapKind.UndefinedElement => "undefined element",
        TrapKind.UninitializedElement => "uninitialized element",
        TrapKind.CallStackExhausted => "call stack exhausted",
        TrapKind.OutOfFuel => "all fuel consumed",
        TrapKind.Interrupted => "interrupted",
        TrapKind.HostError => "host function failed",
        TrapKind.Exit => "exit",
        _ => kind.ToString(),
    };

    /// <inheritdoc />
    public override string ToString() =>
        WasmStack.Count == 0 ? base.ToString() : $"{base.ToString()}{Environment.NewLine}wasm stack:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", WasmStack)}";
}

/// <summary>Instantiation failed because an import is missing or has the wrong type (assert_unlinkable).</summary>
public sealed class WasmLinkException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WasmLinkException(string message) : base(message) { }
}
