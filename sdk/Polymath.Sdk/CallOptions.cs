namespace Polymath.Sdk;

/// <summary>Per-call execution limits.</summary>
public readonly record struct CallOptions
{
    /// <summary>Instruction budget for this call (null = unlimited). Running out traps with <see cref="TrapKind.OutOfFuel"/>. The exact accounting rule is the runtime's and is documented by it. A runtime may decide a store's instrumentation at its first instantiation (Wasmtime does: its RATIONALE.md, "Instrumentation per store"); such a runtime refuses, with <see cref="System.InvalidOperationException"/> before the call runs, a budget in a store whose code is not metered.</summary>
    public ulong? Fuel { get; init; }

    /// <summary>Cancels the call (used for wall-clock timeouts): the call traps with <see cref="TrapKind.Interrupted"/>.</summary>
    public CancellationToken CancellationToken { get; init; }
}
