using System.Text.Json;

namespace Polymath.Experts;

/// <summary>
/// Optional per-op facts in a manifest's <c>ops</c> object (keyed by op name): a description and a JSON Schema
/// (draft 2020-12) for the op's argument object. Hosts that describe ops to others (the MCP server) use them; the
/// expert's own metadata stays the authority on which ops exist.
/// </summary>
public sealed record ExpertOpManifest
{
    /// <summary>One line saying what the op does (empty when not given).</summary>
    public string Description { get; init; } = "";

    /// <summary>
    /// JSON Schema of the op's argument object (<c>"type": "object"</c>), or null when the manifest gives none.
    /// The element is detached from the parsed document (safe to keep).
    /// </summary>
    public JsonElement? Args { get; init; }
}
