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
