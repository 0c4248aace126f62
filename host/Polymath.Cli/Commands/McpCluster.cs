using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polymath.Cluster;
using Polymath.Host.Experts;
using Polymath.Mcp;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath mcp --cluster MEMBERSHIP</c> (docs/cluster.md): the MCP process becomes one silo of the cluster over
/// the experts it already hosts, and every tool call goes through that silo's <see cref="ClusterRouter"/> — local
/// while the silo has capacity, else the least loaded silo serving the op at the same version, retried on a survivor.
/// The tool list stays this process's own ops. Logs go to the MCP command's logger (stderr: stdout is the protocol).
/// </summary>
internal sealed class McpCluster : IAsyncDisposable
{
    private readonly IHost _silo;

    private McpCluster(IHost silo) => _silo = silo;

    /// <summary>
    /// Starts the silo when <paramref name="configuration"/> sets <c>Cluster:Membership</c>, else returns null.
    /// Throws <see cref="ArgumentException"/> (a bad <c>Cluster:</c> key) or <see cref="InvalidOperationException"/>
    /// (an unreachable membership store) like <c>serve --cluster</c>.
    /// </summary>
    public static async Task<McpCluster?> StartAsync(IConfiguration configuration, ExpertHost experts, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(configuration[$"{PolymathClusterOptions.SectionName}:{nameof(PolymathClusterOptions.Membership)}"])) return null;
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(experts);
        builder.AddPolymathCluster();
        var silo = builder.Build();
        await silo.StartAsync(cancellationToken).ConfigureAwait(false);
        return new McpCluster(silo);
    }

    /// <summary><paramref name="local"/>'s ops, with calls routed into the cluster.</summary>
    public IExpertOpSource Route(IExpertOpSource local) => new RoutedSource(local, _silo.Services.GetRequiredService<ClusterRouter>());

    public async ValueTask DisposeAsync()
    {
        await _silo.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _silo.Dispose();
    }

    private sealed class RoutedSource(IExpertOpSource local, ClusterRouter router) : IExpertOpSource
    {
        public IReadOnlyList<OpDescriptor> Ops => local.Ops;

        public event EventHandler? Changed
        {
            add => local.Changed += value;
            remove => local.Changed -= value;
        }

        public async Task<OpCallOutcome> CallAsync(string op, string argsJson, CancellationToken cancellationToken) =>
            ExpertHostAdapter.ToOutcome((await router.RouteAsync(op, argsJson, 0, cancellationToken).ConfigureAwait(false)).Result);
    }
}
