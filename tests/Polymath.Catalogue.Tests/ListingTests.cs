using Polymath.Host.Experts;
using Xunit;
using Polymath.Sdk;

namespace Polymath.Catalogue.Tests;

/// <summary>
/// What <c>polymath experts --json [--platform RID]</c> lists, through the host API: 19 experts, 126 ops, all bound.
/// </summary>
public sealed class ListingTests
{
    /// <summary>(runtime, platform override or "" for this machine).</summary>
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string runtime in RuntimePlugins.All.Keys)
            foreach (string platform in new[] { "", "linux-arm", "linux-x64", "linux-arm64", "win-x64", "osx-arm64" })
                if (Runs(runtime, platform))
                    data.Add(runtime, platform);
        return data;
    }

    /// <summary>(runtime, platform) pairs where the runtime's probe says no (e.g. Wasmtime on 32-bit ARM).</summary>
    public static TheoryData<string, string> UnavailableCases()
    {
        var data = new TheoryData<string, string>();
        foreach (string runtime in RuntimePlugins.All.Keys)
            foreach (string platform in new[] { "linux-arm", "linux-armv6", "linux-x86" })
                if (!Runs(runtime, platform))
                    data.Add(runtime, platform);
        return data;
    }

    private static bool Runs(string runtime, string platform) =>
        RuntimePlugins.All[runtime]().Probe(platform.Length == 0 ? Polymath.Sdk.PlatformInfo.Current : Polymath.Sdk.PlatformInfo.FromRuntimeIdentifier(platform)).IsAvailable;

    /// <summary>With only a runtime that cannot run on the platform, every expert is listed unavailable, with a reason.</summary>
    [Theory]
    [MemberData(nameof(UnavailableCases))]
    public void EveryExpertUnavailableWithAReasonWhereTheRuntimeCannotRun(string runtime, string platform)
    {
        var host = Runtimes.Host(runtime, platform);
        var experts = host.Experts;
        Assert.Equal(19, experts.Count);
        foreach (var x in experts)
        {
            Assert.True(x.Status == ExpertStatus.Unavailable, $"{x.Id}: {x.Status} ({x.Reason})");
            Assert.False(string.IsNullOrWhiteSpace(x.Reason), $"{x.Id}: no reason");
        }
        // Their ops stay routed (the manifests name them) so a call says why it cannot run instead of unknown_op.
        Assert.NotEmpty(host.Ops);
        foreach (var op in host.Ops.Keys)
        {
            var call = host.Call(op, "{}");
            Assert.True(call.Outcome == ExpertCallOutcome.Unavailable && !string.IsNullOrWhiteSpace(call.Reason), $"{op}: {call.OutcomeName} {call.Reason}");
        }
    }

    /// <summary>19 experts, 126 ops, every one bound (not degraded, not unavailable) and every op routed to its expert.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void NineteenExpertsAnd126OpsAllBound(string runtime, string platform)
    {
        var host = Runtimes.Host(runtime, platform.Length == 0 ? null : platform);
        var experts = host.Experts;
        Assert.True(experts.Count == 19, $"expected 19 experts, got {experts.Count}: {string.Join(", ", experts.Select(x => x.Id))}");
        foreach (var x in experts)
        {
            Assert.True(x.Status == ExpertStatus.Bound, $"{x.Id}: {x.Status} ({x.Reason})");
            Assert.False(string.IsNullOrEmpty(x.RuntimeId), $"{x.Id}: no runtime");
            Assert.Empty(x.ShadowedOps);
        }
        Assert.Equal(126, experts.Sum(x => x.Ops.Count));
        Assert.Equal(126, host.Ops.Count);
        foreach (var x in experts)
            foreach (var op in x.Ops)
                Assert.Equal(x.Id, host.Ops[op.Name]);
    }

    /// <summary>Every op the listing advertises has at least one catalogue example.</summary>
    [Theory]
    [MemberData(nameof(RuntimeOnly))]
    public void EveryListedOpHasAnExample(string runtime)
    {
        var host = Runtimes.Host(runtime);
        var covered = CatalogueExample.All.Select(e => (e.Expert, e.Op)).ToHashSet();
        var missing = host.Experts.SelectMany(x => x.Ops.Select(o => (x.Id, o.Name))).Where(k => !covered.Contains(k)).ToList();
        Assert.True(missing.Count == 0, "ops without examples: " + string.Join(", ", missing.Select(m => $"{m.Id}.{m.Name}")));
    }

    /// <summary>One runtime name per row.</summary>
    public static TheoryData<string> RuntimeOnly() => new(RuntimePlugins.All.Keys);
}
