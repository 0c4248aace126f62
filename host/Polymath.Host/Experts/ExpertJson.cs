using System.Text.Json;

namespace Polymath.Host.Experts;

/// <summary>
/// The documented JSON forms of what the host reports, written in one place for every front end (the CLI's
/// <c>--json</c>, the service's replies): an expert as <c>polymath experts --json</c> lists it and a call result as
/// <c>polymath call --json</c> prints it. The caller's writer decides encoding and indentation.
/// </summary>
public static class ExpertJson
{
    /// <summary>Writes an expert in the schema of <c>polymath experts --json</c> (also the service's <c>experts.list</c>).</summary>
    public static void WriteExpert(Utf8JsonWriter w, ExpertInfo e)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(e);
        w.WriteStartObject();
        w.WriteString("id", e.Id);
        w.WriteNumber("tier", e.Tier);
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
            res.Value.WriteTo(w);
            w.WriteNumber("confidence", res.Confidence);
            w.WriteNumber("latency_ns", r.LatencyNs);
            w.WriteString("expert_id", res.ExpertId);
            w.WriteString("op", res.Op);
            w.WriteString("runtime", r.RuntimeId);
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
}
