using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>
/// Provides an import that a <see cref="WasmLinker"/> has no definition for: returns the extern created in
/// <paramref name="store"/>, or null to leave the import unknown. Throw <see cref="WasmLinkException"/> to explain why it
/// cannot be provided.
/// </summary>
/// <param name="store">The store being instantiated into.</param>
/// <param name="import">The import.</param>
/// <param name="functionType">Its function type when it is a function import, else null.</param>
public delegate IWasmExtern? WasmImportResolver(IWasmStore store, Import import, FuncType? functionType);
