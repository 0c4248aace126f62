using System.CommandLine;
using Polymath.Cluster;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>--cluster MEMBERSHIP</c>, <c>--silo-port</c>, <c>--gateway-port</c>, <c>--cluster-id</c>, <c>--service-id</c> on
/// <c>serve</c> (docs/cluster.md): each becomes the <c>Cluster:</c> configuration key of the same meaning, so the
/// command line, the configuration file and <c>POLYMATH_Cluster__…</c> are one setting with one validation.
/// </summary>
internal static class ClusterOptions
{
    private static readonly Option<string?> Membership = new("--cluster") { Description = "Join or form a cluster: localhost, redis://HOST:PORT or kubernetes (Cluster:Membership; docs/cluster.md)" };
    private static readonly Option<ulong?> SiloPort = CliNumbers.Option("--silo-port", "The silo-to-silo port (Cluster:SiloPort; 0 = any free port)", CliNumbers.Port);
    private static readonly Option<ulong?> GatewayPort = CliNumbers.Option("--gateway-port", "The client gateway port (Cluster:GatewayPort; 0 = any free port)", CliNumbers.Port);
    private static readonly Option<string?> ClusterId = new("--cluster-id") { Description = "The cluster id: silos with other ids never see each other (Cluster:ClusterId)" };
    private static readonly Option<string?> ServiceId = new("--service-id") { Description = "The Orleans service id (Cluster:ServiceId)" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public static void AddTo(Command command)
    {
        foreach (var o in new Option[] { Membership, SiloPort, GatewayPort, ClusterId, ServiceId }) command.Options.Add(o);
    }

    /// <summary><paramref name="commandLine"/> with the given options as <c>Cluster:Key</c> settings (<c>mcp --cluster</c>).</summary>
    public static IReadOnlyDictionary<string, string?> Into(IReadOnlyDictionary<string, string?> commandLine, ParseResult parsed)
    {
        var settings = new Dictionary<string, string?>(commandLine, StringComparer.OrdinalIgnoreCase);
        foreach (string token in With([], parsed))
        {
            int eq = token.IndexOf('=', StringComparison.Ordinal);
            settings[token[2..eq]] = token[(eq + 1)..];
        }
        return settings;
    }

    /// <summary>The given options as <c>--Cluster:Key=value</c> overrides, after <paramref name="overrides"/>.</summary>
    public static IReadOnlyList<string> With(IReadOnlyList<string> overrides, ParseResult parsed)
    {
        var list = new List<string>(overrides);
        void Add(string key, object? value) { if (value is not null) list.Add(FormattableString.Invariant($"--{PolymathClusterOptions.SectionName}:{key}={value}")); }
        Add(nameof(PolymathClusterOptions.Membership), parsed.GetValue(Membership));
        Add(nameof(PolymathClusterOptions.SiloPort), parsed.GetValue(SiloPort));
        Add(nameof(PolymathClusterOptions.GatewayPort), parsed.GetValue(GatewayPort));
        Add(nameof(PolymathClusterOptions.ClusterId), parsed.GetValue(ClusterId));
        Add(nameof(PolymathClusterOptions.ServiceId), parsed.GetValue(ServiceId));
        return list;
    }
}
