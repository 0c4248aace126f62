using System.Text.Json;
using Polymath.Host.Experts;
using Xunit;
using Xunit.Abstractions;
using Polymath.Sdk;

namespace Polymath.Catalogue.Tests;

/// <summary>
/// Every catalogue example, run through the real host (registry → binding → pooled instance → larql ABI) on every
/// runtime in <see cref="RuntimePlugins.All"/> — the path <c>polymath call</c> takes.
/// </summary>
public sealed class CatalogueTests(ITestOutputHelper output)
{
    /// <summary>(runtime, line number) for every runtime and example.</summary>
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string runtime in RuntimePlugins.All.Keys)
            foreach (var e in CatalogueExample.All)
                data.Add(runtime, e.Line);
        return data;
    }

    /// <summary>One runtime name per row.</summary>
    public static TheoryData<string> RuntimeNames() => new(RuntimePlugins.All.Keys);

    /// <summary>Runs one example and returns null on success, else why it failed.</summary>
    public static string? Check(ExpertHost host, CatalogueExample e)
    {
        ExpertCallResult r = host.Call(e.Op, e.ArgsJson);
        // An op the expert does not advertise never reaches it through a registry: larql's registry answers None,
        // exactly as for a decline, and ours answers unknown_op. That is the host-level meaning of such a "declined".
        if (e.ExpectsDeclined && r.Outcome == ExpertCallOutcome.UnknownOp)
        {
            var owner = host.Experts.FirstOrDefault(x => x.Id == e.Expert);
            if (owner is null) return $"{e}: expert '{e.Expert}' is not loaded";
            return owner.Ops.Any(o => o.Name == e.Op) ? $"{e}: '{e.Expert}' advertises '{e.Op}' but the host says unknown_op: {r.Reason}" : null;
        }
        if (r.ExpertId != e.Expert)
            return $"{e}: routed to expert '{r.ExpertId}', expected '{e.Expert}' ({r.OutcomeName}: {r.Reason})";
        if (e.ExpectsDeclined)
            return r.Outcome == ExpertCallOutcome.Declined ? null
                : $"{e} {e.ArgsJson}: expected declined, got {r.OutcomeName} {(r.IsResult ? r.Result!.Value.GetRawText() : r.Reason)}";
        if (!r.IsResult)
            return $"{e} {e.ArgsJson}: expected {e.Expect.GetRawText()}, got {r.OutcomeName}: {r.Reason}";
        if (r.Result!.Op != e.Op || r.Result.ExpertId != e.Expert)
            return $"{e}: result names op '{r.Result.Op}' of '{r.Result.ExpertId}'";
        return JsonExact.Difference(e.Expect, r.Result.Value, e.Tolerance) is { } d ? $"{e} {e.ArgsJson}: {d}" : null;
    }

    /// <summary>One test per (runtime, example line).</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Example(string runtime, int line)
    {
        var e = CatalogueExample.All.Single(x => x.Line == line);
        string? failure = Check(Runtimes.Host(runtime), e);
        Assert.True(failure is null, failure);
    }

    /// <summary>Runs the whole file on one runtime and prints totals per expert (the "test run prints its totals").</summary>
    [Theory]
    [MemberData(nameof(RuntimeNames))]
    public void Totals(string runtime)
    {
        var host = Runtimes.Host(runtime);
        var failures = new List<string>();
        var byExpert = new SortedDictionary<string, (int Pass, int Fail)>(StringComparer.Ordinal);
        foreach (var e in CatalogueExample.All)
        {
            string? f = Check(host, e);
            var (p, x) = byExpert.GetValueOrDefault(e.Expert);
            byExpert[e.Expert] = f is null ? (p + 1, x) : (p, x + 1);
            if (f is not null) failures.Add(f);
        }
        foreach (var (id, (p, x)) in byExpert) output.WriteLine($"{runtime} {id,-12} {p,4} passed {x,4} failed");
        int pass = byExpert.Values.Sum(v => v.Pass), fail = byExpert.Values.Sum(v => v.Fail);
        output.WriteLine($"{runtime}: {pass} passed, {fail} failed, {byExpert.Count} experts");
        foreach (string f in failures) output.WriteLine("FAIL " + f);
        Assert.True(CatalogueExample.All.Count > 0, "no examples found");
        Assert.True(fail == 0, $"{fail} of {pass + fail} catalogue examples failed on {runtime}; first: {failures.FirstOrDefault()}");
    }

    /// <summary>Every catalogue expert has examples (the file covers the whole catalogue).</summary>
    [Fact]
    public void ExamplesCoverAllNineteenExperts() =>
        Assert.Equal(19, CatalogueExample.All.Select(e => e.Expert).Distinct().Count());
}
