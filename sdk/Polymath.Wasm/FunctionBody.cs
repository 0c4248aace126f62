namespace Polymath.Wasm;

/// <summary>A function body from the code section.</summary>
public sealed class FunctionBody
{
    /// <summary>Creates a body.</summary>
    public FunctionBody(IReadOnlyList<LocalRun> locals, int localCount, ReadOnlyMemory<byte> code, int codeOffset)
    {
        Locals = locals;
        LocalCount = localCount;
        Code = code;
        CodeOffset = codeOffset;
    }

    /// <summary>Declared locals (not parameters), as runs.</summary>
    public IReadOnlyList<LocalRun> Locals { get; }

    /// <summary>Total declared locals (sum of runs; bounded by the reader).</summary>
    public int LocalCount { get; }

    /// <summary>The instruction bytes (the <c>expr</c>, including its final <c>end</c>).</summary>
    public ReadOnlyMemory<byte> Code { get; }

    /// <summary>Offset of <see cref="Code"/>'s first byte in the module binary (for error messages).</summary>
    public int CodeOffset { get; }

    /// <summary>
    /// The largest operand stack height the body reaches (block parameters included), set by
    /// <see cref="ModuleValidator.Validate"/>; 0 before validation. Runtimes size frames and refuse bodies with it.
    /// </summary>
    public int MaxOperandHeight { get; internal set; }

    /// <summary>Instructions in the body (its final <c>end</c> included), set by <see cref="ModuleValidator.Validate"/>; 0 before validation.</summary>
    public int InstructionCount { get; internal set; }
}
