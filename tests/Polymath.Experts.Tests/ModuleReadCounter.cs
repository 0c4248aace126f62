using System.Diagnostics.Metrics;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// Counts module reads and validations in this process from the moment it is created, by listening to the
/// <c>Polymath.Wasm</c> meter (<c>polymath.wasm.modules.read</c> and <c>polymath.wasm.modules.validated</c>). Use it only
/// in tests of the <see cref="ModuleReadCounting"/> collection, which runs alone.
/// </summary>
public sealed class ModuleReadCounter : IDisposable
{
    private const string MeterName = "Polymath.Wasm", ReadName = "polymath.wasm.modules.read", ValidatedName = "polymath.wasm.modules.validated";
    private readonly MeterListener _listener = new();
    private long _reads, _validations;

    /// <summary>Starts counting.</summary>
    public ModuleReadCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name is ReadName or ValidatedName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == ReadName) Interlocked.Add(ref _reads, value);
            else Interlocked.Add(ref _validations, value);
        });
        _listener.Start();
        // Fails loudly if the instruments were renamed or removed, rather than counting nothing and passing.
        Polymath.Wasm.ModuleValidator.Validate(Polymath.Wasm.ModuleReader.Read(EmptyModule));
        Assert.True(Reads == 1 && Validations == 1, $"the {MeterName} meter did not report {ReadName} and {ValidatedName}");
        Interlocked.Exchange(ref _reads, 0);
        Interlocked.Exchange(ref _validations, 0);
    }

    private static readonly byte[] EmptyModule = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

    /// <summary>Modules read since creation.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Modules validated since creation.</summary>
    public long Validations => Interlocked.Read(ref _validations);

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}

/// <summary>Tests that count module reads process-wide: they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ModuleReadCounting
{
    /// <summary>The collection's name.</summary>
    public const string Name = "module read counting";
}
