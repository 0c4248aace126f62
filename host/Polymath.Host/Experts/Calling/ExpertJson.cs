using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Polymath.Experts;

namespace Polymath.Host.Experts;

/// <summary>
/// The documented JSON forms of what the host reports, written in one place for every front end (the CLI's
/// <c>--json</c>, the service's replies): an expert as <c>polymath experts --json</c> lists it and a call result as
/// <c>polymath call --json</c> prints it. The caller's writer decides encoding and indentation.
/// </summary>
/// <remarks>
/// The writer never throws on what a package or guest supplied, and writes the values that JSON cannot carry in a
/// defined way: a non-finite <c>confidence</c> (a guest wrote <c>1e39</c>, which is infinity as a float) is written as
/// <c>null</c>; a lone UTF-16 surrogate (<c>"\udfff"</c>) in a string or in a result's <c>value</c> is written as
/// U+FFFD; an unknown <c>tier</c> (a package that failed before its tier was known) is written as <c>null</c>.
/// A result is attributed by the host: <c>expert_id</c> and <c>op</c> are the ones the call was routed to
/// (<see cref="ExpertCallResult.ExpertId"/>, <see cref="ExpertCallResult.Op"/>), never the ones the guest wrote.
/// </remarks>
public static class ExpertJson
{
    /// <summary>Writes an expert in the schema of <c>polymath experts --json</c> (also the service's <c>experts.list</c>).</summary>
    public static void WriteExpert(Utf8JsonWriter w, ExpertInfo e)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(e);
        w.WriteStartObject();
        w.WriteString("id", e.Id);
        WriteTier(w, e.Tier);
        w.WriteString("version", e.Version);
        w.WriteString("status", e.Status.ToString().ToLowerInvariant());
        if (e.RuntimeId is null) w.WriteNull("runtime"); else w.WriteString("runtime", e.RuntimeId);
        if (e.PendingRuntimeId is not null) w.WriteString("pending_runtime", e.PendingRuntimeId); // tier-up in progress
        w.WriteString("reason", e.Reason);
        w.WriteStartArray("lost");
        foreach (var l in e.Lost) w.WriteStringValue(l);
        w.WriteEndArray();
        if (e.Fix is null) w.WriteNull("fix"); else w.WriteString("fix", e.Fix);
        w.WriteString("source", e.Source);
        w.WriteStartArray("ops");
        foreach (var op in e.Ops)
        {
            w.WriteStartObject();
            w.WriteString("name", op.Name);
            w.WriteStartArray("args");
            foreach (var a in op.Args) w.WriteStringValue(a);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("shadowed_ops");
        foreach (var s in e.ShadowedOps) w.WriteStringValue(s);
        w.WriteEndArray();
        w.WriteBoolean("signed", e.Signed);
        w.WriteStartArray("conflicts");
        foreach (var c in e.Conflicts)
        {
            w.WriteStartObject();
            w.WriteString("op", c.Op);
            w.WriteString("other_id", c.OtherId);
            w.WriteString("other_source", c.OtherSource);
            w.WriteBoolean("wins", c.Wins);
            w.WriteString("rule", c.Rule);
            w.WriteString("explanation", c.Explanation);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("clamped_limits");
        foreach (var l in e.Limits?.Clamped ?? []) w.WriteStringValue(l);
        w.WriteEndArray();
        if (e.RejectedUpdate is null) w.WriteNull("rejected_update"); else w.WriteString("rejected_update", e.RejectedUpdate);
        w.WriteEndObject();
    }

    /// <summary>
    /// Writes a call result as the object <c>polymath call --json</c> prints (same fields, same order, same escaping):
    /// <c>outcome</c>; for a result <c>value, confidence, latency_ns, expert_id, op, runtime</c>; otherwise
    /// <c>op, expert_id?, runtime?, reason, limit?, trap?, abi_violation?, wasm_stack?</c>.
    /// </summary>
    public static void WriteCallResult(Utf8JsonWriter w, ExpertCallResult r)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(r);
        w.WriteStartObject();
        w.WriteString("outcome", r.OutcomeName);
        if (r.Result is { } res)
        {
            w.WritePropertyName("value");
            WriteValue(w, res);
            if (float.IsFinite(res.Confidence)) w.WriteNumber("confidence", res.Confidence); else w.WriteNull("confidence");
            w.WriteNumber("latency_ns", r.LatencyNs);
            if (r.ExpertId is null) w.WriteNull("expert_id"); else w.WriteString("expert_id", r.ExpertId);
            w.WriteString("op", r.Op);
            if (r.RuntimeId is null) w.WriteNull("runtime"); else w.WriteString("runtime", r.RuntimeId);
        }
        else
        {
            w.WriteString("op", r.Op);
            if (r.ExpertId is not null) w.WriteString("expert_id", r.ExpertId);
            if (r.RuntimeId is not null) w.WriteString("runtime", r.RuntimeId);
            w.WriteString("reason", r.Reason);
            if (r.Limit is { } l) w.WriteString("limit", ExpertCallResult.Name(l));
            if (r.Trap is { } t) w.WriteString("trap", t.ToString());
            if (r.Violation is { } v) w.WriteString("abi_violation", v.ToString());
            if (r.WasmStack.Count > 0)
            {
                w.WriteStartArray("wasm_stack");
                foreach (var f in r.WasmStack) w.WriteStringValue(f.ToString());
                w.WriteEndArray();
            }
        }
        w.WriteEndObject();
    }

    /// <summary>
    /// Writes a JSON value a guest produced. Re-written compactly (no line breaks of the guest's own), with the
    /// writer's escaping; a lone surrogate escape in one of its strings becomes U+FFFD instead of failing the write.
    /// </summary>
    public static void WriteValue(Utf8JsonWriter w, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (!HasSurrogateEscape(JsonMarshal.GetRawUtf8Value(value)))
        {
            value.WriteTo(w);
            return;
        }
        using var repaired = JsonDocument.Parse(ReplaceLoneSurrogateEscapes(value.GetRawText()));
        repaired.RootElement.WriteTo(w);
    }

    /// <summary>
    /// Writes a result's value. The guest's UTF-8 goes to the writer as it is (<c>WriteRawValue</c>, no parse and no
    /// string) when that is byte for byte what re-writing it would give: a compact writer and text of printable ASCII
    /// with no escape and nothing any encoder escapes (<c>&lt; &gt; &amp; ' + `</c>). Anything else (non-ASCII, an escape,
    /// an indented writer) is re-written through <see cref="WriteValue(Utf8JsonWriter, JsonElement)"/>, with the writer's escaping.
    /// </summary>
    public static void WriteValue(Utf8JsonWriter w, ExpertResult result)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(result);
        var raw = result.ValueUtf8.Span;
        // ExpertResult holds checked, compact JSON (its constructors and Parse guarantee it): no validation again here.
        if (!w.Options.Indented && raw.IndexOfAnyExcept(PlainJsonBytes) < 0) w.WriteRawValue(raw, skipInputValidation: true);
        else WriteValue(w, result.Value);
    }

    // Printable ASCII that no JavaScriptEncoder escapes: not the backslash (an escape the writer would re-spell) nor the
    // HTML-sensitive < > & ' + ` (escaped by the default encoder).
    private static readonly SearchValues<byte> PlainJsonBytes = SearchValues.Create(
        Enumerable.Range(0x20, 0x7F - 0x20).Select(b => (byte)b).Where(b => !"\\<>&'+`".Contains((char)b)).ToArray());

    // The "tier" field: a byte, or null when unknown (255 from the registry's failed packages, or an absent tier).
    // null: a failed package has no tier.
    private static void WriteTier(Utf8JsonWriter w, byte? tier)
    {
        if (tier is { } t) w.WriteNumber("tier", t); else w.WriteNull("tier");
    }

    // True when the raw JSON text has a \uD800-\uDFFF escape (the only way a parsed document can hold a lone surrogate).
    private static bool HasSurrogateEscape(ReadOnlySpan<byte> raw)
    {
        for (int i = raw.IndexOf((byte)'\\'); i >= 0 && i + 1 < raw.Length; )
        {
            if (raw[i + 1] == (byte)'u' && i + 3 < raw.Length && raw[i + 2] is (byte)'d' or (byte)'D' && raw[i + 3] is >= (byte)'8' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F')
                return true;
            int next = raw[(i + 2)..].IndexOf((byte)'\\');
            if (next < 0) return false;
            i += 2 + next;
        }
        return false;
    }

    // Rewrites \uD800-\uDFFF escapes that are not a high-low pair as \uFFFD; every other escape stays as it is.
    private static string ReplaceLoneSurrogateEscapes(string raw)
    {
        var sb = new StringBuilder(raw.Length);
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\' || i + 1 >= raw.Length) { sb.Append(raw[i]); continue; }
            if (raw[i + 1] != 'u' || !TryEscape(raw, i, out int unit)) { sb.Append(raw, i, 2); i++; continue; }
            if (char.IsHighSurrogate((char)unit) && TryEscape(raw, i + 6, out int low) && char.IsLowSurrogate((char)low))
            {
                sb.Append(raw, i, 12);
                i += 11;
            }
            else if (char.IsSurrogate((char)unit)) { sb.Append("\\uFFFD"); i += 5; }
            else { sb.Append(raw, i, 6); i += 5; }
        }
        return sb.ToString();
    }

    private static bool TryEscape(string raw, int at, out int unit)
    {
        unit = 0;
        return at + 6 <= raw.Length && raw[at] == '\\' && raw[at + 1] == 'u'
            && int.TryParse(raw.AsSpan(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out unit);
    }
}
