using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Experts;

/// <summary>What one expert instance may use of WASI.</summary>
public sealed record WasiOptions
{
    /// <summary>Nothing granted, output discarded.</summary>
    public static WasiOptions Denied { get; } = new();

    /// <summary>The facilities the operator granted.</summary>
    public WasiGrants Grants { get; init; }

    /// <summary>Where granted stdout/stderr goes; null discards it (writes still succeed when granted).</summary>
    public IWasiOutputSink? Output { get; init; }
}
