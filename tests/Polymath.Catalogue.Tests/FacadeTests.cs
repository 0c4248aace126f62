using System.Text.Json;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Catalogue.Tests;

/// <summary>
/// <see cref="ExpertHost"/> is the one public facade: listing (with each expert's manifest), events, reload and every
/// call overload go through it. This project cannot see the host's internals, so these tests compile against the
/// public surface only.
/// </summary>
public sealed class FacadeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("polymath-facade-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Copies the catalogue's package <paramref name="id"/> (a folder) into the test directory.</summary>
    private void AddPackage(string id)
    {
        string source = Path.Combine(Repository.ExpertsDirectory, id);
        string target = Path.Combine(_dir, id);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
    }

    [Fact]
    public async Task ListsCallsAndReloadsThroughTheHostAlone()
    {
        AddPackage("arithmetic");
        await using var host = ExpertHost.CreateBuilder()
            .Configure(o => { o.Directory = _dir; o.Watch = false; })
            .AddRuntime(new InterpreterRuntimePlugin())
            .Build();
        var events = new List<(string Kind, object? Sender, ExpertEventArgs Args)>();
        host.ExpertLoaded += (s, e) => events.Add(("loaded", s, e));
        host.ExpertUnloaded += (s, e) => events.Add(("unloaded", s, e));
        host.ExpertDegraded += (s, e) => events.Add(("degraded", s, e));
        host.ExpertRejected += (s, e) => events.Add(("rejected", s, e));
        await host.StartAsync();

        Assert.Equal(Path.GetFullPath(_dir), host.Directory);
        Assert.Equal(PlatformInfo.Current.RuntimeIdentifier, host.Platform.RuntimeIdentifier);
        Assert.Equal("interpreter", Assert.Single(host.Runtimes).Id);
        var arithmetic = Assert.Single(host.Experts);
        Assert.Equal(ExpertStatus.Bound, arithmetic.Status);
        // The manifest the host loaded, op descriptions and schemas included: a front end reads no package.
        var gcd = arithmetic.Manifest!.Ops["gcd"];
        Assert.Equal("Greatest common divisor of two non-negative integers", gcd.Description);
        Assert.Equal(JsonValueKind.Object, gcd.Args!.Value.ValueKind);
        Assert.Equal("arithmetic", host.Ops["gcd"]);
        var loaded = Assert.Single(events);
        Assert.Equal(("loaded", "arithmetic"), (loaded.Kind, loaded.Args.Expert.Id));
        Assert.Same(host, loaded.Sender);

        const string args = """{"a":12,"b":18}""";
        using var parsed = JsonDocument.Parse(args);
        ExpertCallResult[] results =
        [
            host.Call("gcd", args),
            host.Call("gcd", """{"a":12,"b":18}"""u8),
            host.Call("gcd", parsed.RootElement),
            host.CallParsed("gcd", """{"a":12,"b":18}"""u8),
            await host.CallAsync("gcd", args),
        ];
        Assert.All(results, r => Assert.Equal(6, r.Result!.Value.GetInt32()));
        Assert.True(host.IdleInstances("arithmetic") > 0);
        await host.WhenTieredUpAsync();

        AddPackage("luhn");
        host.Reload();
        Assert.Equal("luhn", host.Ops["check"]);
        Assert.Equal(["arithmetic", "luhn"], host.Experts.Select(e => e.Id).Order(StringComparer.Ordinal));
        Assert.Equal(("loaded", "luhn"), (events[^1].Kind, events[^1].Args.Expert.Id));

        Directory.Delete(Path.Combine(_dir, "luhn"), recursive: true);
        await host.LoadAsync();
        Assert.False(host.Ops.ContainsKey("check"));
        Assert.Equal(("unloaded", "luhn"), (events[^1].Kind, events[^1].Args.Expert.Id));
        Assert.All(events, e => Assert.Same(host, e.Sender));
    }

    [Fact]
    public void TheHostIsTheOnlyPublicEntryToTheExperts()
    {
        var exported = typeof(ExpertHost).Assembly.GetExportedTypes();
        Assert.DoesNotContain(exported, t => t.Name.Contains("Registry", StringComparison.Ordinal));
        Assert.DoesNotContain(typeof(ExpertHost).GetProperties(), p => p.Name == "Registry");
    }
}
