using System.CommandLine;
using System.Text.Json;
using Polymath.Host.Experts;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath experts [--dir DIR] [--platform RID] [--json]</c>: every expert, its ops, status, runtime and reason.
/// Framework-neutral: Program.cs parses the options and calls <see cref="RunAsync"/>.
/// JSON schema: <c>{"platform": rid, "directory": path, "experts": [{"id","tier","version","status","runtime","pending_runtime","reason","lost","fix","source","ops":[{"name","args"}],"shadowed_ops","signed","conflicts":[{"op","other_id","other_source","wins","rule","explanation"}],"clamped_limits","rejected_update"}]}</c>.
/// </summary>
public static class ExpertsCommand
{
    /// <summary>The <c>experts</c> command: the expert host's listing of the experts directory (docs/experts.md).</summary>
    internal static Command Create(CliCommandContext cli)
    {
        var experts = new Command("experts", "List every expert, its ops, status (bound / degraded / unavailable), runtime and reason");
        cli.AddExpertsOptionsTo(experts);
        experts.SetAction((pr, ct) => cli.WithExperts(pr, pr.GetValue(cli.Directory), b => RunAsync(b, pr.GetValue(cli.ExpertsJson), Console.Out, ct)));
        return experts;
    }

    /// <summary>Runs the command; returns the exit code (0, or 1 when any expert is unavailable).</summary>
    public static async Task<int> RunAsync(ExpertHostBuilder builder, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        await using var host = builder.Configure(o => o.Watch = false).Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var experts = host.Experts;
        if (json)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteString("platform", host.Platform.RuntimeIdentifier);
                w.WriteString("directory", host.Directory);
                w.WriteStartArray("experts");
                foreach (var e in experts) ExpertJson.WriteExpert(w, e);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(stream.ToArray())).ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync($"{experts.Count} experts in {H(host.Directory)} for {host.Platform}").ConfigureAwait(false);
            foreach (var e in experts)
            {
                await output.WriteLineAsync($"{H(e.Id),-16} tier {TierText(e.Tier),-3} {H(e.Version),-8} {Status(e.Status),-11} {H(e.RuntimeId ?? "-"),-12} {e.Ops.Count,3} ops").ConfigureAwait(false);
                await output.WriteLineAsync($"    {H(e.Reason)}{(e.Fix is null ? "" : $" (fix: {H(e.Fix)})")}").ConfigureAwait(false);
                if (e.Ops.Count > 0) await output.WriteLineAsync($"    ops: {string.Join(", ", e.Ops.Select(o => H(o.Name)))}").ConfigureAwait(false);
                if (e.ShadowedOps.Count > 0) await output.WriteLineAsync($"    shadowed: {string.Join(", ", e.ShadowedOps.Select(H))}").ConfigureAwait(false);
                if (e.PendingRuntimeId is { } pending) await output.WriteLineAsync($"    tier-up: moves to {H(pending)} when its background compile is done").ConfigureAwait(false);
                foreach (var c in e.Conflicts) await output.WriteLineAsync($"    conflict: {H(c.Explanation)}").ConfigureAwait(false);
                if (e.Limits?.Clamped is { Count: > 0 } clamped) await output.WriteLineAsync($"    limits lowered to the operator's ceiling: {string.Join(", ", clamped.Select(H))}").ConfigureAwait(false);
                if (e.RejectedUpdate is not null) await output.WriteLineAsync($"    newer version rejected, this one keeps serving: {H(e.RejectedUpdate)}").ConfigureAwait(false);
            }
        }
        return experts.Any(e => e.Status == ExpertStatus.Unavailable) ? 1 : 0;
    }

    private static string H(string? text) => HumanText.Sanitize(text);

    /// <summary>The JSON spelling of a status: bound, degraded, unavailable.</summary>
    public static string Status(ExpertStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>A tier for the table: the number, or "-" when absent (a package that failed before its tier was known).</summary>
    public static string TierText(byte? tier) => tier is { } t ? t.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";
}
