namespace Polymath.Sdk;

/// <summary>One frame of a wasm stack trace.</summary>
/// <param name="FunctionIndex">The funcidx.</param>
/// <param name="FunctionName">Its name from the name section or exports, if known.</param>
public readonly record struct WasmStackFrame(uint FunctionIndex, string? FunctionName)
{
    /// <inheritdoc />
    public override string ToString() => FunctionName is null ? $"func[{FunctionIndex}]" : $"{FunctionName} (func[{FunctionIndex}])";
}
