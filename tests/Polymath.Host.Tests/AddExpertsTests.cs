using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;

namespace Polymath.Host.Tests;

/// <summary>The whole composition path a service takes: AddExperts over plugins.json, started as a hosted service.</summary>
public class AddExpertsTests
{
    [Fact]
    public async Task HostedExpertHostLoadsTheRepositoryExpertsThroughTheCatalog()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "cli");
        string experts = Repository.ExpertsDirectory;
        Assert.True(File.Exists(Path.Combine(experts, "conformance", "examples.jsonl")), experts);

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Polymath:PluginsFile"] = Path.Combine(cli, "plugins.json"),
            ["Experts:Directory"] = experts,
            ["Experts:Watch"] = "false",
        }).Build());
        services.AddExperts();
        await using var sp = services.BuildServiceProvider();

        foreach (var hosted in sp.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        var host = sp.GetRequiredService<ExpertHost>();
        Assert.Same(host, sp.GetServices<IHostedService>().OfType<ExpertHost>().Single()); // one object: hosted, listed, called
        Assert.Equal(19, host.Experts.Count);
        // Every expert is bound to the catalog's first available runtime (plugins.json's priority order on this machine),
        // and the registry holds the catalog's own runtime objects.
        var best = sp.GetRequiredService<RuntimeCatalog>().Probe().First(r => r.Status == RuntimeStatus.Available);
        await host.WhenTieredUpAsync(); // tier-up: experts start on the interpreter while Wasmtime compiles them
        Assert.All(host.Experts, e => Assert.Equal(best.Id, e.RuntimeId));
        Assert.Same(best, host.Runtimes.Single(r => r.Id == best.Id));
        var result = await host.CallAsync("gcd", """{"a":12,"b":18}""");
        Assert.Equal(6, result.Result!.Value.GetInt32());
        foreach (var hosted in sp.GetServices<IHostedService>()) await hosted.StopAsync(CancellationToken.None);
    }
}
