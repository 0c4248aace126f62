namespace Polymath.Host.Experts;

/// <summary>One entry of the <see cref="ExpertMetadataCache"/>: metadata, or a failure to read it.</summary>
/// <param name="WasmSha256">The module's sha256, lower-case hex (the key).</param>
/// <param name="Capabilities">The runtime capabilities the module's features require.</param>
/// <param name="MetadataJson">The raw <c>larql_metadata</c> result (null for a failure).</param>
/// <param name="Failure">Why reading the metadata failed (null for metadata).</param>
/// <param name="FailedUnder">For a failure: the runtime and limits it failed under (<see cref="LimitsKey"/>); it is reused only under the same limits.</param>
/// <param name="ValidatedBy">The validator build that accepted the module (<see cref="CurrentValidator"/>); null when unknown.</param>
internal sealed record ExpertMetadataCacheEntry(string WasmSha256, IReadOnlyList<string> Capabilities, string? MetadataJson, string? Failure, string? FailedUnder,
    string? ValidatedBy = null)
{
    /// <summary>
    /// This process's Polymath.Wasm build (its module version id, which deterministic builds derive from the code): an entry
    /// written by the same build vouches that the module passed this very validator.
    /// </summary>
    public static string CurrentValidator { get; } = typeof(Polymath.Wasm.ModuleReader).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    /// <summary>The limits that decide whether reading the metadata succeeds, as one comparable string.</summary>
    public static string LimitsKey(string runtimeId, EffectiveLimits limits) =>
        $"{runtimeId}; timeout {limits.TimeoutMs} ms; fuel {limits.FuelPerCall?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}; memory {limits.MemoryPages} pages; depth {limits.MaxCallDepth}; result {limits.MaxResultBytes} bytes";
}
