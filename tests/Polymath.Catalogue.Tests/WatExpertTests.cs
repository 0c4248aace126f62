using Polymath.Host.Experts;
using Xunit;

namespace Polymath.Catalogue.Tests;

/// <summary>samples/WatExpert: a hand-written WAT expert loaded through the host and called.</summary>
public sealed class WatExpertTests : IDisposable
{
    private readonly Tools.TempDir _tmp = new();

    /// <inheritdoc />
    public void Dispose() => _tmp.Dispose();

    private static string Sample => Path.Combine(Repository.Root, "samples", "WatExpert");

    private async Task<ExpertHost> HostAsync(string runtime)
    {
        string pkg = Path.Combine(_tmp.Path, "experts", "wat_fib");
        Directory.CreateDirectory(pkg);
        foreach (string f in new[] { "expert.json", "wat_fib.wasm" })
            File.Copy(Path.Combine(Sample, f), Path.Combine(pkg, f));
        var host = ExpertHost.CreateBuilder().Configure(o => { o.Directory = Path.GetDirectoryName(pkg)!; o.Watch = false; })
            .AddRuntime(RuntimePlugins.All[runtime]()).Build();
        await host.StartAsync();
        return host;
    }

    [Fact]
    public void CommittedWasmIsAssembledFromTheWat()
    {
        string wat2wasm = Tools.Require("wat2wasm", "apt-get install wabt");
        string output = Path.Combine(_tmp.Path, "out.wasm");
        Tools.Run(wat2wasm, Sample, "wat_fib.wat", "-o", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Sample, "wat_fib.wasm")), File.ReadAllBytes(output));
    }

    [Theory]
    [MemberData(nameof(CatalogueTests.RuntimeNames), MemberType = typeof(CatalogueTests))]
    public async Task LoadsAndAnswersThroughTheHost(string runtime)
    {
        using var host = await HostAsync(runtime);
        var info = Assert.Single(host.Experts);
        Assert.True(info.Status == ExpertStatus.Bound, info.Reason);
        Assert.Equal("wat_fib", info.Id);
        Assert.Equal("fib", Assert.Single(info.Ops).Name);

        var lines = new[]
        {
            """{"expert":"wat_fib","op":"fib","args":{"n":0},"expect":0}""",
            """{"expert":"wat_fib","op":"fib","args":{"n":10},"expect":55}""",
            """{"expert":"wat_fib","op":"fib","args":{"n":93},"expect":12200160415121876738}""",
            """{"expert":"wat_fib","op":"fib","args":{"n":94},"expect":"declined"}""",
            """{"expert":"wat_fib","op":"fib","args":{"n":1.5},"expect":"declined"}""",
            """{"expert":"wat_fib","op":"fib","args":{"m":1},"expect":"declined"}""",
            """{"expert":"wat_fib","op":"fib","args":{},"expect":"declined"}""",
        };
        string file = Path.Combine(_tmp.Path, "examples.jsonl");
        File.WriteAllLines(file, lines);
        foreach (var e in CatalogueExample.Load(file))
            Assert.Null(CatalogueTests.Check(host, e));
        var r = host.Call("fib", """ { "n" : 20 } """);
        Assert.True(r.IsResult, r.Reason);
        Assert.Equal("6765", r.Result!.Value.GetRawText());
    }

    [Fact]
    public async Task TwoThousandCallsStayUnderATwoPageMemoryCap()
    {
        using var host = await HostAsync("interpreter");
        for (int i = 0; i < 2000; i++)
        {
            var r = host.Call("fib", $$"""{"n":{{i % 94}}}""");
            Assert.True(r.IsResult, $"call {i}: {r.OutcomeName} {r.Reason}");
        }
    }
}
