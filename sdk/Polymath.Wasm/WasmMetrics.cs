using System.Diagnostics.Metrics;

namespace Polymath.Wasm;

/// <summary>
/// The reader's and validator's counters, published on the <see cref="Meter"/> named <c>Polymath.Wasm</c>
/// (<c>dotnet-counters monitor --counters Polymath.Wasm</c>, OpenTelemetry, or a <see cref="MeterListener"/> in tests).
/// They show that each module is read and validated once per load. Adding to a counter nobody listens to costs a
/// branch; it happens once per module, never per instruction.
/// </summary>
internal static class WasmMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Polymath.Wasm";

    private static readonly Meter s_meter = new(MeterName);

    /// <summary>Binary modules decoded by <see cref="ModuleReader.Read"/> (successfully or not).</summary>
    public static readonly Counter<long> ModulesRead =
        s_meter.CreateCounter<long>("polymath.wasm.modules.read", "{module}", "Binary modules decoded by ModuleReader.Read.");

    /// <summary>Modules checked by <see cref="ModuleValidator.Validate"/> (successfully or not).</summary>
    public static readonly Counter<long> ModulesValidated =
        s_meter.CreateCounter<long>("polymath.wasm.modules.validated", "{module}", "Modules checked by ModuleValidator.Validate.");
}
