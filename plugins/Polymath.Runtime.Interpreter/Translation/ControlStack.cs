using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Interpreter;

/// <summary>What opened a control frame.</summary>
internal enum BlockKind : byte
{
    Block,
    Loop,
    If,
    /// <summary>The function body: a branch to it is a return.</summary>
    Function,
}

/// <summary>One entry of the <see cref="ControlStack"/>: a block being translated and the branches to its label.</summary>
internal struct ControlFrame
{
    /// <summary>The mark of an <c>if</c> whose false-branch target is already resolved (or any other block).</summary>
    public const int NoElseFixup = -1;

    public BlockKind Kind;
    /// <summary>Operand-stack height below the block's parameters.</summary>
    public int BaseHeight;
    /// <summary>The frame cells of the parameters (a v128 takes two; so do the counts below).</summary>
    public int ParamCount;
    public int ResultCount;
    /// <summary>The parameter and result types (for the v128 pairs of the entries they become; empty for the function's frame).</summary>
    public ValueType[] ParamTypes;
    public ValueType[] ResultTypes;
    /// <summary>For a loop: the code position of its header (where branches to it go).</summary>
    public int LoopStart;
    /// <summary>Code positions of forward branches to the block's end, resolved at <c>end</c>.</summary>
    public List<int>? BranchFixups;
    /// <summary>For an <c>if</c>: the code position of the branch to its <c>else</c> (or end), until resolved.</summary>
    public int ElseFixup;

    /// <summary>The number of values a branch to this block's label carries (a loop's parameters, otherwise its results).</summary>
    public readonly int BranchArity => Kind == BlockKind.Loop ? ParamCount : ResultCount;
}

/// <summary>The enclosing blocks while a function is translated; index 0 is the function itself.</summary>
internal sealed class ControlStack
{
    private ControlFrame[] _frames = new ControlFrame[16];

    /// <summary>The number of open blocks, the function included.</summary>
    public int Count { get; private set; }

    /// <summary>Opens the function's frame.</summary>
    public void Reset(int resultCount)
    {
        Count = 0;
        Push(BlockKind.Function, baseHeight: 0, paramCount: 0, resultCount);
    }

    /// <summary>Opens a block whose parameters are the top <paramref name="paramCount"/> operands above <paramref name="baseHeight"/>.</summary>
    public void Push(BlockKind kind, int baseHeight, int paramCount, int resultCount)
    {
        if (Count == _frames.Length) Array.Resize(ref _frames, Count * 2);
        _frames[Count++] = new ControlFrame
        {
            Kind = kind, BaseHeight = baseHeight, ParamCount = paramCount, ResultCount = resultCount, ElseFixup = ControlFrame.NoElseFixup,
            ParamTypes = [], ResultTypes = [],
        };
    }

    /// <summary>Closes the innermost block and returns it.</summary>
    public ControlFrame Pop() => _frames[--Count];

    /// <summary>The innermost block.</summary>
    public ref ControlFrame Innermost => ref _frames[Count - 1];

    /// <summary>The function's frame (its results are what <c>return</c> carries).</summary>
    public ref ControlFrame Function => ref _frames[0];

    /// <summary>The block a <c>labelidx</c> names (0 = innermost).</summary>
    public ref ControlFrame Label(int labelidx) => ref _frames[Count - 1 - labelidx];
}
