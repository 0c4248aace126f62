using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>Anything that can be imported or exported: function, table, memory or global.</summary>
public interface IWasmExtern
{
    /// <summary>Which kind of extern this is.</summary>
    ExternKind Kind { get; }
}
