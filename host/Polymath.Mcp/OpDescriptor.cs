using System.Text.Json;

namespace Polymath.Mcp;

/// <summary>
/// One callable op as the MCP layer sees it: who serves it, what it does, its argument keys and (when the expert's
/// manifest gives one) the JSON Schema of its arguments. Built by <see cref="ExpertHostAdapter"/> from the host's listing.
/// </summary>
public sealed record OpDescriptor
{
    /// <summary>The op name (what the host routes on).</summary>
    public required string Op { get; init; }
    /// <summary>The expert that serves the op.</summary>
    public required string ExpertId { get; init; }
    /// <summary>The expert's version.</summary>
    public string ExpertVersion { get; init; } = "";
    /// <summary>The expert's one-line description.</summary>
    public string ExpertDescription { get; init; } = "";
    /// <summary>The op's description from the manifest (empty when the manifest has none).</summary>
    public string Description { get; init; } = "";
    /// <summary>The arg keys from the expert's metadata (optional ones included; empty for old-style metadata).</summary>
    public IReadOnlyList<string> ArgNames { get; init; } = [];
    /// <summary>The manifest's JSON Schema for the argument object, if any.</summary>
    public JsonElement? ArgsSchema { get; init; }
    /// <summary>Set when the expert runs degraded: why, and what it lost.</summary>
    public string? Degraded { get; init; }
    /// <summary>The runtime the expert is bound to.</summary>
    public string? RuntimeId { get; init; }
    /// <summary>Changes whenever anything above may have changed (expert version, package, binding).</summary>
    public required string Fingerprint { get; init; }
}
