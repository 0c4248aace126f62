using Polymath.Experts;

namespace Polymath.Host.Experts;

/// <summary>What the registry shows about one expert (or one package that could not be loaded).</summary>
public sealed record ExpertInfo
{
    /// <summary>Expert id (for a package that failed before its id was known: the file or folder name).</summary>
    public required string Id { get; init; }
    /// <summary>Tier (from the manifest, else the metadata); null for a package that failed before a tier was read.</summary>
    public byte? Tier { get; init; }
    /// <summary>Version.</summary>
    public string Version { get; init; } = "";
    /// <summary>Description.</summary>
    public string Description { get; init; } = "";
    /// <summary>The package file or folder.</summary>
    public required string Source { get; init; }
    /// <summary>
    /// The package's manifest as the host read and verified it when it loaded this version (op descriptions, argument
    /// schemas, requirements, limits asked); null for a bare <c>.wasm</c> and for a package that failed before it was read.
    /// Front ends (the MCP server) take op descriptions from here instead of reading the package again.
    /// </summary>
    public ExpertManifest? Manifest { get; init; }
    /// <summary>Package form.</summary>
    public ExpertPackageKind? Kind { get; init; }
    /// <summary>Bound, degraded or unavailable.</summary>
    public required ExpertStatus Status { get; init; }
    /// <summary>The runtime it runs on now (the one it is bound to, or — during tier-up — the one it started on).</summary>
    public string? RuntimeId { get; init; }
    /// <summary>
    /// Tier-up: the runtime it is moving to while that runtime compiles it in the background (<see cref="RuntimeId"/> is
    /// where it runs meanwhile); null when it runs on its chosen runtime.
    /// </summary>
    public string? PendingRuntimeId { get; init; }
    /// <summary>Why it has that status.</summary>
    public required string Reason { get; init; }
    /// <summary>For degraded: what it lost.</summary>
    public IReadOnlyList<string> Lost { get; init; } = [];
    /// <summary>For unavailable: what would fix it.</summary>
    public string? Fix { get; init; }
    /// <summary>Its ops.</summary>
    public IReadOnlyList<OpSpec> Ops { get; init; } = [];
    /// <summary>Ops it advertises that another expert serves instead (see <see cref="Conflicts"/> for who and why).</summary>
    public IReadOnlyList<string> ShadowedOps { get; init; } = [];
    /// <summary>Every op this expert and another both claim, on both sides: who else claims it, who serves it and why.</summary>
    public IReadOnlyList<OpConflict> Conflicts { get; init; } = [];
    /// <summary>True for a signed package: a manifest with the sha256 of every payload, all verified (a bare .wasm is unsigned).</summary>
    public bool Signed { get; init; }
    /// <summary>The grants in force.</summary>
    public WasiGrants Grants { get; init; }
    /// <summary>Limits in force.</summary>
    public EffectiveLimits? Limits { get; init; }
    /// <summary>When a newer version of this package was rejected and this one keeps serving: why.</summary>
    public string? RejectedUpdate { get; init; }
}
