namespace Polymath.Sdk;

/// <summary>
/// Implemented by a runtime plugin (the <see cref="IRuntimePlugin"/> object) that can show the code it generates for a
/// module: the contract <c>polymath inspect</c> uses, so the host needs no knowledge of a plugin's types.
/// </summary>
public interface ICodeListing
{
    /// <summary>What the listing shows, as <c>polymath inspect</c> names it: <c>cil</c> (the compiler tier) or <c>ir</c> (the interpreter).</summary>
    string ListingKind { get; }

    /// <summary>
    /// Lists the code generated for the functions <paramref name="wasm"/> defines, or for the one
    /// <paramref name="function"/> names (export name, name-section name or index). Text for a person: its names come
    /// from the module, so a front end escapes it for its terminal.
    /// </summary>
    /// <exception cref="Polymath.Wasm.WasmModuleException">The module does not read or validate.</exception>
    /// <exception cref="ArgumentException">No function is named <paramref name="function"/>.</exception>
    string ListCode(ReadOnlyMemory<byte> wasm, string? function = null);
}
