using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// The compiler tier's native stack budget (RATIONALE.md, "Call depth and the .NET stack"). Generated code compares the
/// address of a local with <see cref="StoreState.StackFloor"/> at every function entry; below it, one call of
/// <see cref="StoreState.ExtendStack"/> asks the runtime for more (<c>TryEnsureSufficientExecutionStack</c>) and moves
/// the floor down by <see cref="Step"/>, or traps. A frame is allocated before its entry check runs, so no function may
/// have a frame larger than <see cref="MaxFrameBytes"/>: what the runtime guarantees, minus the step, minus half of it
/// kept for the trap's throw and for host functions.
/// </summary>
internal static class StackBudget
{
    /// <summary>What <c>TryEnsureSufficientExecutionStack</c> guarantees below the caller when it returns true (CoreCLR: 128 KB on 64-bit, 64 KB on 32-bit).</summary>
    public static readonly int Guarantee = IntPtr.Size == 8 ? 128 * 1024 : 64 * 1024;

    /// <summary>How far below a successful check code may run before the next one.</summary>
    public static readonly int Step = Guarantee / 8;

    /// <summary>The largest frame estimate a function may have on this tier (48 KB on 64-bit, 24 KB on 32-bit).</summary>
    public static readonly int MaxFrameBytes = Guarantee - Step - Guarantee / 2;

    /// <summary>Bytes charged per parameter, local, operand and JIT temporary (8 for the value, 8 for spills and alignment).</summary>
    public const int SlotBytes = 16;

    /// <summary>Bytes charged per frame besides its slots (return address, saved registers, the context).</summary>
    public const int FixedBytes = 512;

    /// <summary>The largest function body the compiler tier compiles: RyuJIT's time grows with it and cannot be interrupted.</summary>
    public const int MaxInstructions = 250_000;

    /// <summary>
    /// Slots of a frame: its parameters, results and locals; its deepest operand stack; the CIL temporaries call
    /// arguments are moved into (<paramref name="maxArity"/>); a few fixed temporaries; and the operands live across
    /// calls beyond the deepest stack (summed over call sites, each spilled by RyuJIT into a temporary of its own; known
    /// only while emitting, 0 at <c>Compile</c>).
    /// </summary>
    public static long Slots(long parametersResultsLocals, int maxHeight, int maxArity, long liveAcrossCalls) =>
        parametersResultsLocals + maxHeight + maxArity + 16 + System.Math.Max(0, liveAcrossCalls - maxHeight);

    /// <summary>
    /// The extra slots of a function's v128 parameters and locals: a v128 is 16 bytes, and its spill slot another 16,
    /// so each counts as two slots (the operand stack's v128s are covered by the per-slot spill allowance).
    /// </summary>
    public static long V128Slots(FuncType type, IReadOnlyList<LocalRun> locals)
    {
        long n = type.Parameters.Count(p => p == ValueType.V128) + type.Results.Count(r => r == ValueType.V128);
        foreach (var run in locals) if (run.Type == ValueType.V128) n += run.Count;
        return n;
    }

    /// <summary>The frame estimate for <paramref name="slots"/> slots.</summary>
    public static long Estimate(long slots) => FixedBytes + SlotBytes * slots;

    /// <summary>
    /// Refuses a function the tier cannot run safely (frame too large for the stack check, body too costly to compile),
    /// naming it and saying why; null when it can.
    /// </summary>
    /// <remarks><paramref name="maxArity"/>: the most parameters of any type of the module; a call in the body passes at most
    /// that many, and at most the body's deepest operand stack.</remarks>
    public static string? Refusal(Module module, int definedIndex, int maxArity)
    {
        var body = module.Codes[definedIndex];
        var type = module.Types[(int)module.Functions[definedIndex]];
        uint funcidx = (uint)(module.ImportedFunctionCount + definedIndex);
        string name = Describe(module, funcidx);
        if (body.InstructionCount > MaxInstructions)
            return $"{name} has {body.InstructionCount} instructions; the compiler runtime compiles at most {MaxInstructions} per function " +
                   "(machine code generation cannot be interrupted by a call's deadline)";
        // A call's arguments are on the operand stack before it, so no call in this body passes more than its deepest
        // stack: one very wide type elsewhere in the module does not make every function's frame look wide.
        int arity = System.Math.Min(maxArity, body.MaxOperandHeight);
        long frame = Estimate(Slots(type.Parameters.Length + type.Results.Length + body.LocalCount + V128Slots(type, body.Locals), body.MaxOperandHeight, arity, 0));
        if (frame > MaxFrameBytes)
            return FrameRefusal(name, frame, $"{type.Parameters.Length} parameters, {body.LocalCount} locals, {body.MaxOperandHeight} operands, calls of up to {arity} arguments");
        return null;
    }

    /// <summary>The reason a frame of <paramref name="frame"/> bytes is refused.</summary>
    public static string FrameRefusal(string name, long frame, string made) =>
        $"{name} needs a native stack frame of about {(frame + 1023) / 1024} KB ({made}); the compiler runtime's limit is " +
        $"{MaxFrameBytes / 1024} KB per frame, so that deep recursion always traps before the .NET stack overflows";

    public static string Describe(Module module, uint funcidx) =>
        module.GetFunctionName(funcidx) is string n ? $"func[{funcidx}] {n}" : $"func[{funcidx}]";
}
