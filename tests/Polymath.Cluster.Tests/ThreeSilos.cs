using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;

namespace Polymath.Cluster.Tests;

/// <summary>
/// A real Orleans cluster of three in-process silos (Orleans.TestingHost), each with its own <see cref="ExpertHost"/>
/// (the interpreter tier) and the Polymath grains. Silo_2 is started with a smaller experts directory (only
/// <c>arithmetic</c>): calls for the ops it lacks must go to the silos that have them.
/// </summary>
public sealed class ThreeSilos : IAsyncLifetime
{
    public static readonly PolymathClusterOptions Options = new()
    {
        Membership = "localhost", LocalConcurrency = 2, WorkerThreads = 2, RefreshMs = 200, ProbeTimeoutMs = 500, MissedProbes = 2, MaxAttempts = 3,
    };

    private readonly string _smallExperts = Path.Combine(Path.GetTempPath(), $"polymath-cluster-{Guid.NewGuid():N}");

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_smallExperts);
        CopyDirectory(Path.Combine(Repository.ExpertsDirectory, "arithmetic"), Path.Combine(_smallExperts, "arithmetic"));
        Cluster = await DeployAsync(3, name => name == "Silo_2" ? _smallExperts : Repository.ExpertsDirectory, Options);
    }

    /// <summary>
    /// Deploys <paramref name="count"/> in-process silos, silo <c>Silo_N</c> serving the experts of
    /// <paramref name="directoryOf"/>(<c>Silo_N</c>) on the interpreter tier, and waits until every router sees them all.
    /// </summary>
    public static async Task<InProcessTestCluster> DeployAsync(int count, Func<string, string> directoryOf, PolymathClusterOptions options)
    {
        var builder = new InProcessTestClusterBuilder((short)count);
        builder.ConfigureSiloHost((silo, host) =>
        {
            var experts = ExpertHost.CreateBuilder()
                .Configure(o => { o.Directory = directoryOf(silo.SiloName); o.Watch = false; })
                .AddRuntime(new InterpreterRuntimePlugin())
                .Build();
            experts.StartAsync().GetAwaiter().GetResult();
            host.Services.AddSingleton(experts);
        });
        builder.ConfigureSilo((_, silo) => silo.AddPolymathGrains(options));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        foreach (var silo in cluster.Silos) await Router(silo).Ready.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitForFullViewAsync(cluster);
        return cluster;
    }

    /// <summary>The silo started with only the arithmetic expert.</summary>
    public InProcessSiloHandle SmallSilo => Cluster.Silos.Single(s => s.ServiceProvider.GetRequiredService<ExpertHost>().Directory.Contains(Path.GetFileName(_smallExperts), StringComparison.Ordinal));

    public static ClusterRouter Router(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<ClusterRouter>();

    /// <summary>Waits until every silo's router sees every active silo.</summary>
    public static async Task WaitForFullViewAsync(InProcessTestCluster cluster)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        int count = cluster.Silos.Count;
        while (cluster.Silos.Any(s => Router(s).View.Count < count))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the routers did not see all {count} silos within 30 s");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await DisposeAsync(Cluster);
        Directory.Delete(_smallExperts, recursive: true);
    }

    /// <summary>Stops the silos, then their expert hosts.</summary>
    public static async Task DisposeAsync(InProcessTestCluster cluster)
    {
        var hosts = cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<ExpertHost>()).ToList();
        await cluster.DisposeAsync();
        foreach (var h in hosts) h.Dispose();
    }

    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}

/// <summary>The catalogue's examples (experts/conformance/examples.jsonl): one per op.</summary>
public static class Examples
{
    public static IReadOnlyList<(string Op, string Args)> OnePerOp { get; } = Load();

    private static List<(string, string)> Load()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<(string, string)>();
        foreach (string line in File.ReadLines(Path.Combine(Repository.ExpertsDirectory, "conformance", "examples.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            string op = doc.RootElement.GetProperty("op").GetString()!;
            if (seen.Add(op)) list.Add((op, doc.RootElement.TryGetProperty("args", out var a) ? a.GetRawText() : "{}"));
        }
        return list;
    }
}
