using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Polymath.Cluster.Placement;
using Polymath.Service;

namespace Polymath.Cluster;

/// <summary>Adds the Orleans silo behind <c>polymath serve --cluster</c> to a host.</summary>
public static class ClusterHosting
{
    /// <summary>
    /// Reads <see cref="PolymathClusterOptions"/> from the <c>Cluster</c> section of <paramref name="builder"/>'s
    /// configuration and, when <see cref="PolymathClusterOptions.Membership"/> is set, makes this process a silo: the
    /// membership provider, endpoints (loopback by default; a warning for non-loopback without TLS), TLS when a
    /// certificate is configured, a check of the membership store right here (<see cref="InvalidOperationException"/>
    /// naming it when unreachable), and
    /// <see cref="AddPolymathGrains"/>. Returns false (nothing added) when no cluster is asked for.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names the key).</exception>
    public static bool AddPolymathCluster(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new PolymathClusterOptions();
        builder.Configuration.GetSection(PolymathClusterOptions.SectionName).Bind(options);
        if (!options.Enabled) return false;
        options.Validate();
        if (options.SiloPort == 0) options.SiloPort = FreePort(options.Address);
        if (options.GatewayPort == 0) options.GatewayPort = FreePort(options.Address);
        var address = IPAddress.Parse(options.Address);
        // Checked before the host is even built: an unreachable store is one clear error within StoreTimeoutMs.
        if (options.RedisEndpoint is { } redis) MembershipStoreCheck.Run(redis, options.StoreTimeoutMs);
        builder.Services.AddHostedService(sp => new ClusterStartLog(options, sp.GetRequiredService<ILogger<ClusterRouter>>()));
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = options.ServiceId; });
            switch (options.Kind)
            {
                case MembershipKind.Localhost:
                    silo.UseDevelopmentClustering(new IPEndPoint(address, options.PrimarySiloPort));
                    break;
                case MembershipKind.Redis:
                    silo.UseRedisClustering(o => o.ConfigurationOptions = RedisConfiguration(options));
                    break;
                case MembershipKind.Kubernetes:
                    silo.UseKubernetesHosting();
                    silo.UseRedisClustering(o => o.ConfigurationOptions = RedisConfiguration(options));
                    break;
            }
            if (options.Kind != MembershipKind.Kubernetes)
                silo.Configure<EndpointOptions>(o =>
                {
                    o.AdvertisedIPAddress = address;
                    o.SiloPort = options.SiloPort;
                    o.GatewayPort = options.GatewayPort;
                    o.SiloListeningEndpoint = new IPEndPoint(address, options.SiloPort);
                    o.GatewayListeningEndpoint = new IPEndPoint(address, options.GatewayPort);
                });
            if (options.TlsCertificateFile is { } file)
            {
                var certificate = X509CertificateLoader.LoadPkcs12FromFile(file, options.TlsCertificatePassword);
                silo.UseTls(certificate, tls =>
                {
                    tls.ClientCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
                    tls.RemoteCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
                    if (options.TlsAllowUntrusted) tls.AllowAnyRemoteCertificate();
                });
            }
            silo.AddPolymathGrains(options);
        });
        // After UseOrleans: replaces Orleans' fail-fast on a fatal silo error with a logged stop and exit code 3.
        builder.Services.AddSingleton<IFatalErrorHandler, SiloFatalErrorHandler>();
        builder.Services.AddSingleton<IExpertCallDispatcher>(sp => sp.GetRequiredService<ClusterRouter>());
        OrleansLogFilter.Add(builder.Services, options.OrleansLogLevel);
        return true;
    }

    /// <summary>
    /// The grain, its placement, the silo's workers (<see cref="SiloWorkers"/>, over the host's
    /// <see cref="Polymath.Host.Experts.ExpertHost"/>, which must be registered) and <see cref="ClusterRouter"/>, with
    /// membership timings from <paramref name="options"/>. Used by <see cref="AddPolymathCluster"/> and by tests that
    /// build silos themselves.
    /// </summary>
    public static ISiloBuilder AddPolymathGrains(this ISiloBuilder silo, PolymathClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        silo.AddPlacementDirector<SiloTargetedPlacement, SiloTargetedPlacementDirector>();
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromMilliseconds(options.ProbeTimeoutMs);
            o.NumMissedProbesLimit = options.MissedProbes;
            o.TableRefreshTimeout = TimeSpan.FromMilliseconds(Math.Max(1000, options.ProbeTimeoutMs * 2));
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        });
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton<SiloWorkers>();
        silo.Services.AddSingleton<ClusterRouter>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ClusterRouter>());
        return silo;
    }

    private static StackExchange.Redis.ConfigurationOptions RedisConfiguration(PolymathClusterOptions options)
    {
        var endpoint = options.RedisEndpoint!;
        var c = new StackExchange.Redis.ConfigurationOptions { AbortOnConnectFail = true, ConnectTimeout = options.StoreTimeoutMs, ConnectRetry = 1 };
        c.EndPoints.Add(endpoint.Host, endpoint.Port);
        return c;
    }

    // Port 0 means any free port: one is taken from the system here, because a silo advertises the port it listens on.
    private static int FreePort(string address)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private sealed class ClusterStartLog(PolymathClusterOptions options, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            bool tls = options.TlsCertificateFile is not null;
            logger.Joining(options.ClusterId, options.Membership!, options.SiloPort, options.GatewayPort, options.Address, tls ? " (TLS)" : "");
            if (!options.IsLoopback && !tls) logger.NonLoopbackWithoutTls(options.Address);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
