using System.Text.Json;
using Polymath.Host.Experts;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath call OP [ARGS_JSON] [--dir DIR] [--platform RID] [--json]</c>: one call. With JSON output it prints one
/// object: <c>outcome</c> (result, declined, unknown_op, unavailable, limit_exceeded, trapped, invalid_args); for a
/// result the larql ExpertResult fields <c>value, confidence, latency_ns</c> (host-measured), <c>expert_id, op</c> plus
/// <c>runtime</c>; otherwise <c>reason</c> (and <c>limit</c>, <c>trap</c>, <c>wasm_stack</c> when they apply).
/// Exit code 0 only for a result. Without <c>--json</c> it prints the value alone (compact JSON, with control and
/// format characters as <c>\uHHHH</c> escapes) or <c>outcome: reason</c> (escaped by <see cref="HumanText"/>). The result
/// is attributed by the host (the op and expert the call was routed to), never by the guest's own fields.
/// </summary>
public static class CallCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static async Task<int> RunAsync(ExpertHostBuilder builder, string op, string? argsJson, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        await using var host = builder.Configure(o => o.Watch = false).Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var r = await host.CallAsync(op, argsJson, cancellationToken).ConfigureAwait(false);
        if (json) await output.WriteLineAsync(ToJson(r)).ConfigureAwait(false);
        else if (r.IsResult) await output.WriteLineAsync(HumanText.Json(r.Result!.Value)).ConfigureAwait(false);
        else await output.WriteLineAsync($"{r.OutcomeName}: {HumanText.Sanitize(r.Reason)}").ConfigureAwait(false);
        return r.IsResult ? 0 : 1;
    }

    /// <summary>The documented JSON object for a call result.</summary>
    public static string ToJson(ExpertCallResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            ExpertJson.WriteCallResult(w, r);
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
