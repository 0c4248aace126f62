namespace Polymath.Runtime.Interpreter;

/// <summary>A defined function translated to the internal form.</summary>
internal sealed class CompiledCode
{
    /// <summary>The code with fuel ops (metered calls and calls that can be cancelled: the fuel ops at loop headers poll the token).</summary>
    public required int[] Code { get; init; }
    /// <summary>The same code without fuel ops, for calls with neither a fuel budget nor a cancellable token.</summary>
    public required int[] FastCode { get; init; }
    /// <summary>Parameters + declared locals (slots 0..LocalCount-1 of the frame).</summary>
    public required int LocalCount { get; init; }
    public required int ParamCount { get; init; }
    public required int ResultCount { get; init; }
    /// <summary>Slots the frame needs: locals plus the deepest operand stack.</summary>
    public required int FrameSize { get; init; }
}
