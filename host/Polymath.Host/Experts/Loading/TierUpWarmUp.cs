using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polymath.Experts;
using Polymath.Host.Logging;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// The warm-up of tier-up to the compiler tier (host/RATIONALE.md, "Tier-up"). That tier compiles lazily: the first call
/// of a function generates its CIL (and that of everything it calls directly) and the .NET JIT compiles each method on
/// its first execution — most of a first call's time there. <see cref="Run"/> does that work off the call path, before
/// the swap, by calling each op once the way a client would: with arguments made from the op's JSON Schema in the
/// manifest (<see cref="SampleArgs"/>; <c>{}</c> without one), so number parsing, the op itself and result formatting run.
/// </summary>
internal static class TierUpWarmUp
{
    private const int MaxDepth = 6, MaxProperties = 16, MaxItems = 2;

    /// <summary>
    /// Calls every op of <paramref name="expert"/> once on throwaway instances with nothing granted (no output, clock or
    /// random). Results and declines are ignored; an op that traps or breaks the ABI costs its instance (the next op gets
    /// a new one). One budget, the expert's timeout, bounds the whole warm-up (and its per-call fuel each call): an op that
    /// loops ends it, and the tier-up goes on with what was compiled so far.
    /// </summary>
    public static void Run(LoadedExpert expert, string runtimeId, IWasmEngine engine, IWasmModule compiled, StoreLimits storeLimits,
        ILogger logger, CancellationToken token)
    {
        long start = Stopwatch.GetTimestamp();
        int calls = 0, failed = 0;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(token);
        budget.CancelAfter(expert.Limits.TimeoutMs);
        var callOptions = new CallOptions { Fuel = expert.Limits.FuelPerCall, CancellationToken = budget.Token };
        var manifestOps = expert.Package.Manifest?.Ops;
        ExpertInstance? instance = null;
        try
        {
            foreach (var op in expert.Metadata?.Ops ?? [])
            {
                if (budget.IsCancellationRequested) break;
                byte[] args = SampleArgs(manifestOps is not null && manifestOps.TryGetValue(op.Name, out var m) ? m.Args : null);
                try
                {
                    instance ??= ExpertInstance.Create(engine, compiled, storeLimits, WasiPreview1.CreateLinker(WasiOptions.Denied), callOptions);
                    calls++;
                    instance.Call(Encoding.UTF8.GetBytes(op.Name), args, callOptions, expert.Limits.MaxResultBytes);
                }
                catch (Exception e) when (e is WasmTrapException or WasmLinkException or ExpertAbiException)
                {
                    failed++;
                    instance?.Dispose();
                    instance = null;
                }
            }
        }
        finally { instance?.Dispose(); }
        Log.TierUpWarmedUp(logger, expert.Id, runtimeId, calls, failed, budget.IsCancellationRequested, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    /// <summary>
    /// An argument object that fits <paramref name="schema"/> in the common cases — the first of <c>examples</c>, else
    /// <c>default</c>, else the first <c>enum</c> value; numbers
    /// and integers at their <c>minimum</c> (else 1.5 and 2) capped at <c>maximum</c>; strings <c>"12"</c>; booleans true;
    /// arrays of two samples (or one per <c>prefixItems</c>); objects with their properties — and <c>{}</c> when there is
    /// no schema. Bounded whatever the schema: at most 6 levels, 16 properties per object and 2 items per array.
    /// </summary>
    public static byte[] SampleArgs(JsonElement? schema)
    {
        if (schema is not { ValueKind: JsonValueKind.Object } s) return "{}"u8.ToArray();
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (Type(s) == "object" || s.TryGetProperty("examples", out _)) Write(writer, s, 0);
            else writer.WriteRawValue("{}"u8);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string? Type(JsonElement schema) =>
        schema.TryGetProperty("type", out var t) ? t.ValueKind switch
        {
            JsonValueKind.String => t.GetString(),
            JsonValueKind.Array when t.GetArrayLength() > 0 && t[0].ValueKind == JsonValueKind.String => t[0].GetString(),
            _ => null,
        } : schema.TryGetProperty("properties", out _) ? "object" : null;

    private static void Write(Utf8JsonWriter writer, JsonElement schema, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth >= MaxDepth) { writer.WriteNumberValue(1); return; }
        if (schema.TryGetProperty("examples", out var ex) && ex.ValueKind == JsonValueKind.Array && ex.GetArrayLength() > 0) { ex[0].WriteTo(writer); return; }
        if (schema.TryGetProperty("default", out var d)) { d.WriteTo(writer); return; }
        if (schema.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0) { e[0].WriteTo(writer); return; }
        switch (Type(schema))
        {
            case "object":
                writer.WriteStartObject();
                int written = 0;
                if (schema.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
                    foreach (var p in props.EnumerateObject())
                    {
                        if (written++ == MaxProperties) break;
                        writer.WritePropertyName(p.Name);
                        Write(writer, p.Value, depth + 1);
                    }
                if (written == 0 && schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.Object)
                {
                    writer.WritePropertyName("A");
                    Write(writer, extra, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case "array":
                writer.WriteStartArray();
                if (schema.TryGetProperty("prefixItems", out var prefix) && prefix.ValueKind == JsonValueKind.Array)
                    foreach (var item in prefix.EnumerateArray().Take(MaxProperties)) Write(writer, item, depth + 1);
                else if (schema.TryGetProperty("items", out var items))
                    for (int i = 0; i < MaxItems; i++) Write(writer, items, depth + 1);
                writer.WriteEndArray();
                break;
            case "string": writer.WriteStringValue("12"); break;
            case "boolean": writer.WriteBooleanValue(true); break;
            case "null": writer.WriteNullValue(); break;
            case "integer": writer.WriteNumberValue((long)Bounded(schema, 2)); break;
            default: writer.WriteNumberValue(Bounded(schema, 1.5)); break;
        }
    }

    private static double Bounded(JsonElement schema, double fallback)
    {
        double v = Number(schema, "minimum") ?? fallback;
        if (Number(schema, "maximum") is { } hi && v > hi) v = hi;
        return Math.Clamp(v, -1e15, 1e15);
    }

    private static double? Number(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v) && double.IsFinite(v) ? v : null;
}
