using System.Text.Json;

namespace Polymath.Experts;

/// <summary>The larql ExpertMetadata a module returns from <c>larql_metadata</c>.</summary>
public sealed record ExpertMetadata
{
    /// <summary>Expert id.</summary>
    public required string Id { get; init; }
    /// <summary>Tier 0..255.</summary>
    public required byte Tier { get; init; }
    /// <summary>Description.</summary>
    public string Description { get; init; } = "";
    /// <summary>Version string.</summary>
    public string Version { get; init; } = "";
    /// <summary>The ops, in the order the module lists them.</summary>
    public required IReadOnlyList<OpSpec> Ops { get; init; }
    /// <summary>True when <c>ops</c> was the old flat list of op-name strings.</summary>
    public bool IsOldStyle { get; init; }

    /// <summary>
    /// Parses metadata JSON. Accepts <c>ops</c> as OpSpec objects (<c>{"name","args"}</c>) or as plain
    /// strings (pre-2026-04-22 experts), but not a mix.
    /// </summary>
    /// <exception cref="ExpertPackageException">The JSON is not valid metadata (including lone surrogate escapes, numbers
    /// beyond the double range and duplicate keys); the message names the field.</exception>
    public static ExpertMetadata Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        using (var doc = StrictJson.ParseChecked(json, source, "larql_metadata", "metadata", StrictJson.GuestText))
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ExpertPackageException(source, "metadata", "must be a JSON object");
            if (!root.TryGetProperty("id", out var idEl) || idEl.ValueKind != JsonValueKind.String || idEl.GetString()!.Length == 0)
                throw new ExpertPackageException(source, "metadata.id", "is required and must be a non-empty string");
            if (idEl.GetString()!.Any(char.IsControl))
                throw new ExpertPackageException(source, "metadata.id", $"'{ExpertManifest.Printable(idEl.GetString()!)}' must not contain control characters");
            if (!root.TryGetProperty("tier", out var tierEl) || tierEl.ValueKind != JsonValueKind.Number || !tierEl.TryGetInt32(out int tier) || tier is < 0 or > 255)
                throw new ExpertPackageException(source, "metadata.tier", "is required and must be an integer 0..255");
            string description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
            string version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            if (!root.TryGetProperty("ops", out var opsEl) || opsEl.ValueKind != JsonValueKind.Array)
                throw new ExpertPackageException(source, "metadata.ops", "is required and must be an array");
            var ops = new List<OpSpec>();
            bool? oldStyle = null;
            int i = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var op in opsEl.EnumerateArray())
            {
                string field = $"metadata.ops[{i}]";
                OpSpec spec;
                if (op.ValueKind == JsonValueKind.String)
                {
                    if (oldStyle == false) throw new ExpertPackageException(source, field, "mixes plain strings and OpSpec objects");
                    oldStyle = true;
                    spec = new OpSpec(op.GetString()!, []);
                }
                else if (op.ValueKind == JsonValueKind.Object)
                {
                    if (oldStyle == true) throw new ExpertPackageException(source, field, "mixes plain strings and OpSpec objects");
                    oldStyle = false;
                    if (!op.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
                        throw new ExpertPackageException(source, field + ".name", "is required and must be a string");
                    var args = new List<string>();
                    if (op.TryGetProperty("args", out var a))
                    {
                        if (a.ValueKind != JsonValueKind.Array)
                            throw new ExpertPackageException(source, field + ".args", "must be an array of strings");
                        foreach (var arg in a.EnumerateArray())
                        {
                            if (arg.ValueKind != JsonValueKind.String)
                                throw new ExpertPackageException(source, field + ".args", "must be an array of strings");
                            args.Add(arg.GetString()!);
                        }
                    }
                    spec = new OpSpec(n.GetString()!, args);
                }
                else throw new ExpertPackageException(source, field, "must be an OpSpec object or an op-name string");
                if (spec.Name.Length == 0) throw new ExpertPackageException(source, field, "has an empty op name");
                if (spec.Name.Any(char.IsControl))
                    throw new ExpertPackageException(source, field, $"has an op name with a control character ('{ExpertManifest.Printable(spec.Name)}')");
                if (seen.Add(spec.Name)) ops.Add(spec);
                i++;
            }
            return new ExpertMetadata
            {
                Id = idEl.GetString()!, Tier = (byte)tier, Description = description, Version = version,
                Ops = ops, IsOldStyle = oldStyle == true,
            };
        }
    }
}
