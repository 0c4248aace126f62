using System.CommandLine;
using System.Text.Json;
using Polymath.Client;
using Polymath.Host.Experts;
using Spectre.Console;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath status --server PATH|HOST:PORT [--json]</c>: the service's health and stats as tables, or as one JSON
/// object <c>{"health": …, "stats": …}</c> (the results of the <c>health</c> and <c>stats</c> methods). Exit code 0
/// when the service is serving, 1 when draining, 2 when it cannot be reached.
/// </summary>
public static class StatusCommand
{
    /// <summary>The <c>status</c> command.</summary>
    internal static Command Create(CliCommandContext cli)
    {
        var server = new Option<string>("--server") { Description = "The service: a Unix socket path or HOST:PORT", Required = true };
        var json = new Option<bool>("--json") { Description = "Print {\"health\": …, \"stats\": …} as JSON" };
        var status = new Command("status", "Show a running service's health and stats");
        status.Options.Add(server);
        status.Options.Add(cli.TokenFile);
        status.Options.Add(json);
        status.SetAction((pr, ct) => RunAsync(pr.GetValue(server)!, CliCommandContext.ReadToken(pr.GetValue(cli.TokenFile)), pr.GetValue(json), Console.Out, Console.Error, ct));
        return status;
    }

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
            await error.WriteLineAsync($"error: {HumanText.Sanitize(e.Message)}").ConfigureAwait(false);
            return 2;
        }
        try { return await PrintAsync(server, health, stats, json, output).ConfigureAwait(false); }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            await error.WriteLineAsync($"error: {HumanText.Sanitize(server)} answered health/stats in an unexpected form: {HumanText.Sanitize(e.Message)}").ConfigureAwait(false);
            return 2;
        }
    }

    // Every string that came from the service is escaped twice for the tables: control characters (HumanText) and
    // Spectre.Console markup ('[' and ']'), so neither the terminal nor the markup parser can be driven by it.
    private static string Cell(string? text) => Markup.Escape(HumanText.Sanitize(text));

    private static string Cell(JsonElement value) => Cell(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());

    private static async Task<int> PrintAsync(string server, JsonElement health, JsonElement stats, bool json, TextWriter output)
    {
        bool serving = health.GetProperty("status").GetString() == "serving";
        if (json)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WritePropertyName("health");
                ExpertJson.WriteValue(w, health);
                w.WritePropertyName("stats");
                ExpertJson.WriteValue(w, stats);
                w.WriteEndObject();
            }
            await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(stream.ToArray())).ConfigureAwait(false);
            return serving ? 0 : 1;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        var summary = new Table().Title($"Polymath service at {Cell(server)}").AddColumn("").AddColumn("");
        summary.ShowHeaders = false;
        var experts = health.GetProperty("experts");
        var memory = stats.GetProperty("memory");
        summary.AddRow("status", Cell(health.GetProperty("status")));
        summary.AddRow("version", Cell(health.GetProperty("version")));
        summary.AddRow("platform", Cell(health.GetProperty("platform")));
        summary.AddRow("experts", $"{Cell(experts.GetProperty("total"))} ({Cell(experts.GetProperty("bound"))} bound, {Cell(experts.GetProperty("degraded"))} degraded, {Cell(experts.GetProperty("unavailable"))} unavailable)");
        summary.AddRow("uptime", TimeSpan.FromMilliseconds(stats.GetProperty("uptime_ms").GetInt64()).ToString(@"d\.hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture));
        summary.AddRow("connections", $"{Cell(stats.GetProperty("connections"))} open, {Cell(stats.GetProperty("connections_total"))} total");
        summary.AddRow("in flight", Cell(stats.GetProperty("in_flight")));
        summary.AddRow("calls", Cell(stats.GetProperty("calls")));
        summary.AddRow("protocol errors", Cell(stats.GetProperty("protocol_errors")));
        summary.AddRow("idle instances", Cell(stats.GetProperty("instances_idle")));
        summary.AddRow("memory", $"{memory.GetProperty("working_set_bytes").GetInt64() / (1 << 20)} MiB working set, {memory.GetProperty("managed_bytes").GetInt64() / (1 << 20)} MiB managed");
        console.Write(summary);

        var ops = new Table().Title("Calls by op").AddColumns("op", "calls", "outcomes", "p50 µs ≤", "p99 µs ≤");
        foreach (var op in stats.GetProperty("ops").EnumerateObject())
        {
            var outcomes = string.Join(", ", op.Value.GetProperty("outcomes").EnumerateObject().Select(o => $"{o.Name} {o.Value}"));
            ops.AddRow(Cell(op.Name), Cell(op.Value.GetProperty("calls")), Cell(outcomes),
                Cell(op.Value.GetProperty("latency_p50_us")), Cell(op.Value.GetProperty("latency_p99_us")));
        }
        console.Write(ops);
        return serving ? 0 : 1;
    }
}
