namespace Polymath.Sdk;

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
