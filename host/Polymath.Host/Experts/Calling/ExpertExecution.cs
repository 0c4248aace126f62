using Polymath.Host.Catalog;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// Where one loaded expert runs right now: the runtime, its shared engine, the module compiled on it and the pool of
/// instances of that module. Immutable; tier-up replaces the whole object with one atomic write
/// (<see cref="LoadedExpert.SwapExecution"/>). A call reads it once and rents from and returns to that pool, so calls in
/// flight finish on the execution they started on; the replaced pool is cleared, and instances returned to it later are
/// disposed.
/// </summary>
internal sealed class ExpertExecution(RuntimeReport runtime, IWasmEngine engine, IWasmModule module, ExpertInstancePool pool)
{
    public RuntimeReport Runtime { get; } = runtime;
    public string RuntimeId { get; } = runtime.Id;
    public IWasmEngine Engine { get; } = engine;
    public IWasmModule Module { get; } = module;
    public ExpertInstancePool Pool { get; } = pool;
}
