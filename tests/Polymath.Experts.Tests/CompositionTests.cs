using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Polymath.Host;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Xunit;
using Polymath.Sdk;

namespace Polymath.Experts.Tests;

/// <summary>AddExperts: options bound from configuration, validated at start; the expert host as a hosted service.</summary>
public sealed class CompositionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ServiceProvider Services(Dictionary<string, string?> settings, Action<ExpertHostOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddExperts(configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void OptionsAreBoundFromTheExpertsSectionThenConfigured()
    {
        using var sp = Services(new()
        {
            ["Experts:Directory"] = _dir.Path,
            ["Experts:Grants:echo:0"] = "wasi.stdio",
            ["Experts:Grants:echo:1"] = "wasi.clock",
            ["Experts:Limits:TimeoutMs"] = "1234",
            ["Experts:Limits:FuelPerCall"] = "99",
            ["Experts:Watch"] = "true",
        }, o => o.Watch = false);
        var o = sp.GetRequiredService<IOptions<ExpertHostOptions>>().Value;
        Assert.Equal(_dir.Path, o.Directory);
        Assert.Equal(["wasi.stdio", "wasi.clock"], o.Grants["echo"]);
        Assert.Equal(WasiGrants.Stdio | WasiGrants.Clock, o.GrantsFor("echo"));
        Assert.Equal(1234, o.Limits.TimeoutMs);
        Assert.Equal(99UL, o.Limits.FuelPerCall);
        Assert.Equal(256U, o.Limits.MemoryPages); // unset keys keep their defaults
        Assert.False(o.Watch);                    // code runs after configuration
    }

    [Fact]
    public void InvalidOptionsFailValidationNamingEveryKey()
    {
        using var sp = Services(new()
        {
            ["Experts:Directory"] = _dir.Path,
            ["Experts:Grants:*:0"] = "wasi.network",
            ["Experts:Limits:MemoryPages"] = "0",
        });
        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<ExpertHostOptions>>().Value);
        Assert.Contains(e.Failures, f => f.Contains("Experts:Grants:*") && f.Contains("wasi.network"));
        Assert.Contains(e.Failures, f => f.Contains("Experts:Limits:MemoryPages"));
    }

    [Fact]
    public void TheExpertHostIsRegisteredAsAHostedServiceThatValidatesOnStart()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddExperts();
        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Contains(services, d => d.ServiceType == typeof(IValidateOptions<ExpertHostOptions>) && d.ImplementationType == typeof(ExpertHostOptionsValidator));
    }

    [Fact]
    public async Task StartAndStopAsAHostedService()
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        await using var host = ExpertHost.CreateBuilder().Configure(o => { o.Directory = _dir.Path; o.Watch = true; })
            .AddRuntime(new InterpreterRuntimePlugin()).Build();
        IHostedService hosted = host;
        await hosted.StartAsync(CancellationToken.None);
        Assert.NotNull(host.Watcher);
        Assert.Equal(ExpertCallOutcome.Result, (await host.CallAsync("echo", """{"x":1}""")).Outcome);
        await hosted.StopAsync(CancellationToken.None);
        Assert.Null(host.Watcher);
        Assert.Equal(ExpertCallOutcome.Result, (await host.CallAsync("echo", """{"x":2}""")).Outcome); // stopped watching, still serving
    }
}
