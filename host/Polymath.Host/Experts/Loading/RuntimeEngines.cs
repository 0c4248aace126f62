using System.Collections.Concurrent;
using Polymath.Host.Catalog;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// The engines one expert host uses: one per runtime, created on first use from the runtime's
/// <see cref="RuntimeReport.CreateEngine"/> and shared by every expert bound to it; disposed with the host.
/// </summary>
internal sealed class RuntimeEngines : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IWasmEngine>> _engines = new(StringComparer.Ordinal);

    /// <summary>The shared engine of <paramref name="runtime"/>.</summary>
    /// <exception cref="RuntimeNotAvailableException">The runtime is not available.</exception>
    public IWasmEngine Get(RuntimeReport runtime) =>
        _engines.GetOrAdd(runtime.Id, _ => new Lazy<IWasmEngine>(runtime.CreateEngine, LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    public void Dispose()
    {
        foreach (var engine in _engines.Values)
            if (engine.IsValueCreated) engine.Value.Dispose();
        _engines.Clear();
    }
}
