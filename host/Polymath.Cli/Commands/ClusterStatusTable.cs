using System.Text.Json;
using Spectre.Console;

namespace Polymath.Cli.Commands;

/// <summary>
/// The <c>cluster</c> object of a <c>polymath serve --cluster</c> service's <c>health</c> (docs/cluster.md) as the
/// human <c>status</c> table: one row per silo with its Orleans status, calls, calls in flight and expert versions
/// (grouped by version).
/// </summary>
internal static class ClusterStatusTable
{
    /// <summary>The table, every service-supplied string escaped by <paramref name="cell"/>.</summary>
    public static Table Create(JsonElement cluster, Func<JsonElement, string> cell)
    {
        string self = cluster.GetProperty("silo").GetString() ?? "";
        var table = new Table()
            .Title($"Cluster {cell(cluster.GetProperty("id"))} ({cell(cluster.GetProperty("membership"))})")
            .AddColumns("silo", "status", "calls", "in flight", "experts");
        foreach (var silo in cluster.GetProperty("silos").EnumerateArray())
        {
            var address = silo.GetProperty("address");
            // Grouped by version: "17 at 0.2.0; arithmetic at 1.1.0" (ids listed for groups of up to 3 experts).
            string experts = string.Join("; ", silo.GetProperty("experts").EnumerateArray()
                .GroupBy(e => e.GetProperty("version").GetString() ?? "", StringComparer.Ordinal)
                .OrderByDescending(g => g.Count())
                .Select(g => (g.Count() <= 3 ? string.Join(", ", g.Select(e => cell(e.GetProperty("id")))) : g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture))
                             + " at " + cell(g.First().GetProperty("version"))));
            table.AddRow(cell(address) + (address.GetString() == self ? " (this)" : ""), cell(silo.GetProperty("status")),
                cell(silo.GetProperty("calls")), cell(silo.GetProperty("inFlight")), experts);
        }
        return table;
    }
}
