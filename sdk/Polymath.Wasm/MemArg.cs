namespace Polymath.Wasm;

/// <summary>
/// The <c>memarg</c> immediate of a load or store: the alignment hint (log2 of the byte alignment) and the
/// constant offset added to the dynamic address (read by <see cref="InstructionReader.ReadMemArg"/>).
/// </summary>
/// <param name="Align">log2 of the alignment in bytes (a hint; valid when at most the natural alignment).</param>
/// <param name="Offset">The static offset, in bytes.</param>
public readonly record struct MemArg(uint Align, uint Offset);
