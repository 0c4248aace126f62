using System.Text.Json;
using Polymath.Client;
using Spectre.Console;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath status --server PATH|HOST:PORT [--json]</c>: the service's health and stats as tables, or as one JSON
/// object <c>{"health": …, "stats": …}</c> (the results of the <c>health</c> and <c>stats</c> methods). Exit code 0
/// when the service is serving, 1 when draining, 2 when it cannot be reached.
/// </summary>
public static class StatusCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static async Task<int> RunAsync(string server, string? token, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        JsonElement health, stats;
        try
        {
            await using var client = await PolymathClient.ConnectAsync(server, new PolymathClientOptions { Token = token }, cancellationToken).ConfigureAwait(false);
            health = await client.HealthAsync(cancellationToken).ConfigureAwait(false);
            stats = await client.StatsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PolymathConnectionException or PolymathServiceException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        bool serving = health.GetProperty("status").GetString() == "serving";
        if (json)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WritePropertyName("health");
                health.WriteTo(w);
                w.WritePropertyName("stats");
                stats.WriteTo(w);
                w.WriteEndObject();
            }
            await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(stream.ToArray())).ConfigureAwait(false);
            return serving ? 0 : 1;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        var summary = new Table().Title($"Polymath service at {Markup.Escape(server)}").AddColumn("").AddColumn("");
        summary.ShowHeaders = false;
        var experts = health.GetProperty("experts");
        var memory = stats.GetProperty("memory");
        summary.AddRow("status", health.GetProperty("status").GetString()!);
        summary.AddRow("version", health.GetProperty("version").GetString() ?? "");
        summary.AddRow("platform", health.GetProperty("platform").GetString()!);
        summary.AddRow("experts", $"{experts.GetProperty("total")} ({experts.GetProperty("bound")} bound, {experts.GetProperty("degraded")} degraded, {experts.GetProperty("unavailable")} unavailable)");
        summary.AddRow("uptime", TimeSpan.FromMilliseconds(stats.GetProperty("uptime_ms").GetInt64()).ToString(@"d\.hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture));
        summary.AddRow("connections", $"{stats.GetProperty("connections")} open, {stats.GetProperty("connections_total")} total");
        summary.AddRow("in flight", stats.GetProperty("in_flight").ToString());
        summary.AddRow("calls", stats.GetProperty("calls").ToString());
        summary.AddRow("protocol errors", stats.GetProperty("protocol_errors").ToString());
        summary.AddRow("idle instances", stats.GetProperty("instances_idle").ToString());
        summary.AddRow("memory", $"{memory.GetProperty("working_set_bytes").GetInt64() / (1 << 20)} MiB working set, {memory.GetProperty("managed_bytes").GetInt64() / (1 << 20)} MiB managed");
        console.Write(summary);

        var ops = new Table().Title("Calls by op").AddColumns("op", "calls", "outcomes", "p50 µs ≤", "p99 µs ≤");
        foreach (var op in stats.GetProperty("ops").EnumerateObject())
        {
            var outcomes = string.Join(", ", op.Value.GetProperty("outcomes").EnumerateObject().Select(o => $"{o.Name} {o.Value}"));
            ops.AddRow(Markup.Escape(op.Name), op.Value.GetProperty("calls").ToString(), Markup.Escape(outcomes),
                op.Value.GetProperty("latency_p50_us").ToString(), op.Value.GetProperty("latency_p99_us").ToString());
        }
        console.Write(ops);
        return serving ? 0 : 1;
    }
}
