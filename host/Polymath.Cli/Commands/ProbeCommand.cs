using System.CommandLine;
using System.Text;
using System.Text.Json;
using Polymath.Host.Catalog;
using Polymath.Host.Manifest;
using Polymath.Sdk;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath probe [--platform RID] [--no-dynamic-code] [--json]</c>: the platform facts and every plugin in plugins.json
/// with its status, reason and capabilities. JSON schema: docs/architecture.md ("probe output").
/// </summary>
public static class ProbeCommand
{
    /// <summary>The <c>probe</c> command.</summary>
    internal static Command Create(CliCommandContext cli)
    {
        var json = new Option<bool>("--json") { Description = "Print the documented JSON instead of a table" };
        var probe = new Command("probe", "Show the platform and every runtime plugin's status, reason and capabilities");
        probe.Options.Add(json);
        probe.SetAction(pr => cli.WithCatalog(pr, catalog => Run(catalog, pr.GetValue(json), Console.Out)));
        return probe;
    }

    /// <summary>Probes and prints; returns 0 (the probe itself succeeded, whatever the statuses).</summary>
    public static int Run(RuntimeCatalog catalog, bool json, TextWriter output)
    {
        var reports = catalog.Probe();
        output.WriteLine(json ? ToJson(catalog.Platform, reports) : ToTable(catalog, reports));
        return 0;
    }

    /// <summary>The documented JSON: {"platform":{rid, architecture, dynamicCode, ...},"runtimes":[{id, tier, status, reason, capabilities, ...}]}.</summary>
    public static string ToJson(PlatformInfo platform, IReadOnlyList<RuntimeReport> reports)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("platform");
            w.WriteString("rid", platform.RuntimeIdentifier);
            w.WriteString("architecture", PlatformInfo.ArchitectureName(platform.Architecture));
            w.WriteBoolean("dynamicCode", platform.IsDynamicCodeSupported);
            w.WriteString("os", platform.OperatingSystem);
            w.WriteNumber("pointerSize", platform.PointerSize);
            w.WriteBoolean("simd", platform.IsSimdAccelerated);
            w.WriteBoolean("simulated", platform.IsSimulated);
            w.WriteEndObject();
            w.WriteStartArray("runtimes");
            foreach (var r in reports)
            {
                w.WriteStartObject();
                w.WriteString("id", r.Id);
                if (r.Tier is { } tier) w.WriteString("tier", tier.ToName()); else w.WriteNull("tier");
                w.WriteString("status", r.StatusName);
                w.WriteString("reason", r.Reason);
                w.WriteStartArray("capabilities");
                foreach (var c in r.Capabilities) w.WriteStringValue(c);
                w.WriteEndArray();
                w.WriteNumber("priority", r.Priority);
                if (r.Descriptor is { } d) { w.WriteString("name", d.Name); w.WriteString("version", d.Version); }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// The SIMD128 line: whether the managed tiers' v128 operations run on hardware vectors here (the real process: the
    /// ISAs .NET reports) or on Vector128's exact software fallback, and which simulated platforms take the scalar path.
    /// </summary>
    internal static string SimdLine(PlatformInfo p)
    {
        static string YesNo(bool b) => b ? "yes" : "no";
        string path = p.IsSimdAccelerated ? "vector path, hardware-accelerated" : "scalar path (Vector128 software fallback, exact)";
        string facts = p.IsSimulated
            ? $"simulated {p.RuntimeIdentifier}"
            : $"Vector128.IsHardwareAccelerated {YesNo(System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)}, " +
              $"Sse41 {YesNo(System.Runtime.Intrinsics.X86.Sse41.IsSupported)}, Avx2 {YesNo(System.Runtime.Intrinsics.X86.Avx2.IsSupported)}, " +
              $"AdvSimd {YesNo(System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)}";
        var scalar = new[] { "x64", "x86", "arm64", "arm", "armv6", "riscv64", "loongarch64", "ppc64le", "s390x" }
            .Select(a => PlatformInfo.FromRuntimeIdentifier("linux-" + a)).Where(q => !q.IsSimdAccelerated).Select(q => q.RuntimeIdentifier);
        return $"  SIMD128 (managed tiers): {path} ({facts}); simulated platforms on the scalar path: {string.Join(", ", scalar)}";
    }

    /// <summary>A readable table; plugin ids, reasons and capabilities are escaped by <see cref="HumanText"/>.</summary>
    public static string ToTable(RuntimeCatalog catalog, IReadOnlyList<RuntimeReport> reports)
    {
        var p = catalog.Platform;
        var sb = new StringBuilder();
        sb.AppendLine($"Platform: {p}  [source: {catalog.Selection.Source}{(catalog.Selection.DynamicCodeSource is { } d ? ", " + d : "")}]");
        sb.AppendLine($"  os {p.OperatingSystem}, architecture {PlatformInfo.ArchitectureName(p.Architecture)}, pointer size {p.PointerSize}, SIMD {(p.IsSimdAccelerated ? "yes" : "no")}");
        sb.AppendLine(SimdLine(p));
        sb.AppendLine($"Plugins: {HumanText.Sanitize(catalog.Manifest.FilePath)}");
        sb.AppendLine();
        string[] head = ["RUNTIME", "TIER", "STATUS", "REASON / CAPABILITIES"];
        var rows = reports.Select(r => new[] { HumanText.Sanitize(r.Id), r.Tier?.ToName() ?? "-", r.StatusName, HumanText.Sanitize(r.Reason) }).ToList();
        var w0 = Math.Max(head[0].Length, rows.Select(r => r[0].Length).DefaultIfEmpty(0).Max());
        var w1 = Math.Max(head[1].Length, rows.Select(r => r[1].Length).DefaultIfEmpty(0).Max());
        var w2 = Math.Max(head[2].Length, rows.Select(r => r[2].Length).DefaultIfEmpty(0).Max());
        sb.AppendLine($"{head[0].PadRight(w0)}  {head[1].PadRight(w1)}  {head[2].PadRight(w2)}  {head[3]}");
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            sb.AppendLine($"{row[0].PadRight(w0)}  {row[1].PadRight(w1)}  {row[2].PadRight(w2)}  {row[3]}");
            if (reports[i].Capabilities.Count > 0)
                sb.AppendLine($"{"".PadRight(w0 + w1 + w2 + 6)}{string.Join(" ", reports[i].Capabilities.Select(HumanText.Sanitize))}");
        }
        if (rows.Count == 0) sb.AppendLine("(plugins.json lists no plugins)");
        return sb.ToString().TrimEnd();
    }
}
