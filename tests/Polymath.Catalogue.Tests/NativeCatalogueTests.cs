using Polymath.Host;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Xunit;
using Xunit.Abstractions;
using Polymath.Sdk;

namespace Polymath.Catalogue.Tests;

/// <summary>
/// Every catalogue example on the experts' native kernels: the catalogue rebuilt as packages with their kernels for this
/// platform (<c>experts/build.sh --native --packages</c>), the native plugin loaded from a plugins.json by the host's
/// catalog, every expert granted (<c>Experts:NativeKernels: ["*"]</c>), and each call checked like
/// <see cref="CatalogueTests"/> plus: it ran on <c>native</c>.
/// </summary>
public sealed class NativeCatalogueTests(ITestOutputHelper output)
{
    private static readonly Lazy<ExpertHost> Shared = new(StartHost, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The started host over the native packages (built once per test run).</summary>
    public static ExpertHost Host => Shared.Value;

    private static ExpertHost StartHost()
    {
        Tools.Require("gcc", "apt-get install gcc");
        string root = Directory.CreateTempSubdirectory("polymath-native-catalogue-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { } };
        string packages = Path.Combine(root, "experts");
        Tools.Run(Path.Combine(Repository.Root, "experts", "build.sh"), Repository.Root, "--native", "--packages", packages);
        var catalog = RuntimeCatalog.Create(new PolymathHostOptions { PluginsFile = NativeRuntimePluginTests.WritePluginsJson(root) });
        var host = ExpertHost.CreateBuilder()
            .Configure(o =>
            {
                o.Directory = packages;
                o.Watch = false;
                o.NativeKernels = ["*"];
                o.NativeKernelDirectory = Path.Combine(root, "shadow");
            })
            .UseRuntimeCatalog(catalog)
            .Build();
        host.StartAsync().GetAwaiter().GetResult();
        return host;
    }

    /// <summary>Every example's line number.</summary>
    public static TheoryData<int> Lines() => new(CatalogueExample.All.Select(e => e.Line));

    /// <summary>One test per example.</summary>
    [Theory]
    [MemberData(nameof(Lines))]
    public void Example(int line)
    {
        var e = CatalogueExample.All.Single(x => x.Line == line);
        string? failure = CatalogueTests.Check(Host, e);
        Assert.True(failure is null, failure);
        var r = Host.Call(e.Op, e.ArgsJson);
        if (r.Outcome != ExpertCallOutcome.UnknownOp) Assert.Equal("native", r.RuntimeId);
    }

    /// <summary>Every catalogue expert is bound to its kernel, and the listing says so.</summary>
    [Fact]
    public void EveryExpertIsBoundToItsNativeKernel()
    {
        var experts = Host.Experts;
        foreach (var x in experts) output.WriteLine($"{x.Id,-12} {x.Status,-10} {x.RuntimeId,-8} {x.Reason}");
        Assert.Equal(CatalogueExample.All.Select(e => e.Expert).Distinct().Count(), experts.Count(x => x.RuntimeId == "native"));
        Assert.All(experts, x =>
        {
            Assert.Equal(("native", ExpertStatus.Bound), (x.RuntimeId, x.Status));
            Assert.Contains("granted by the operator", x.Reason);
        });
    }
}
