using Polymath.Experts;

namespace Polymath.Host.Experts;

/// <summary>
/// Options of the expert host (configuration section <c>Experts</c>): where experts live, which WASI facilities
/// the operator grants, default limits, hot reload.
/// </summary>
public sealed class ExpertHostOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Experts";

    /// <summary>The experts directory (default <c>./experts</c> relative to the working directory).</summary>
    public string Directory { get; set; } = "experts";

    /// <summary>The platform to bind for, as a runtime identifier (null = this process). E.g. <c>linux-arm</c>.</summary>
    public string? Platform { get; set; }

    /// <summary>
    /// WASI grants by expert id; the key <c>*</c> applies to every expert. Values are capability names
    /// (<c>wasi.stdio</c>, <c>wasi.clock</c>, <c>wasi.random</c>). Nothing is granted by default.
    /// </summary>
    public Dictionary<string, List<string>> Grants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The operator's limits: ceilings that a manifest may lower for its expert, never raise; plus the args cap.</summary>
    public ExpertLimitDefaults Limits { get; set; } = new();

    /// <summary>Watch the directory and reload changed packages (default true).</summary>
    public bool Watch { get; set; } = true;

    /// <summary>Quiet time after the last file event before reloading, in ms (default 300; 0..60,000).</summary>
    public int DebounceMs { get; set; } = 300;

    /// <summary>
    /// How often the watcher checks that the directory at <see cref="Directory"/> is still the one it watches (deleted and
    /// recreated, or swapped by rename, it re-arms and reloads), in ms (default 1000; 10..60,000).
    /// </summary>
    public int DirectoryCheckMs { get; set; } = ExpertDirectoryWatcher.DefaultCheckIntervalMs;

    /// <summary>Most idle instances kept per expert (default: 2 × processors; 0..1024).</summary>
    public int MaxIdleInstancesPerExpert { get; set; } = Environment.ProcessorCount * 2;

    /// <summary>
    /// Expert ids whose native kernel (<c>payloads.native</c> for this platform) may run instead of their WebAssembly
    /// module; <c>*</c> grants every expert. Empty by default: a native kernel runs with the host's privileges and
    /// without fuel, timeout or memory cap, so only the operator can allow it (key <c>Experts:NativeKernels</c>).
    /// </summary>
    public List<string> NativeKernels { get; set; } = [];

    /// <summary>
    /// Where native kernels are shadow-copied before loading, by sha256 (null = <c>native</c> beside the default
    /// compiled-code cache, e.g. <c>~/.cache/polymath/native</c>). Key <c>Experts:NativeKernelDirectory</c>.
    /// </summary>
    public string? NativeKernelDirectory { get; set; }

    // ---- tier-up and the metadata cache (host/RATIONALE.md) ----

    /// <summary>
    /// Tier-up (default true): an expert whose chosen runtime is slow to start (tier jit, or tier compiler, whose first calls
    /// pay the JIT) starts at once on the fastest-starting available runtime that meets its requirements (the interpreter)
    /// and moves to the chosen one when its background compile (and, for the compiler, warm-up) is done. False: the load
    /// waits for the compile.
    /// </summary>
    public bool TierUp { get; set; } = true;

    /// <summary>
    /// Where each expert's metadata (and a failure to read it) is cached by the wasm's sha256, so a cold process need not
    /// instantiate every expert. Null: beside the host's compiled-code cache (<c>…/polymath/metadata</c>) when the host has
    /// one, else no cache; <c>off</c> disables it.
    /// </summary>
    public string? MetadataCacheDirectory { get; set; }

    /// <summary>The grants for <paramref name="expertId"/>: <c>*</c> plus its own entry.</summary>
    public WasiGrants GrantsFor(string expertId)
    {
        var g = WasiGrants.None;
        foreach (var key in new[] { "*", expertId })
            if (Grants.TryGetValue(key, out var names) && WasiGrantNames.TryParse(names, out var parsed, out _))
                g |= parsed;
        return g;
    }
}
