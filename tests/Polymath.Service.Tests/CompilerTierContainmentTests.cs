using System.Text;
using Polymath.Client;
using Polymath.Sdk;

namespace Polymath.Service.Tests;

/// <summary>
/// Hostile audit 3, item 1, as a service: on simulated 32-bit ARM an expert is bound to the compiler tier, and one call of
/// a recursion whose frames hold ≈ 2,000 operands live across the call used to overflow the .NET stack and kill
/// <c>polymath serve</c> (exit 134). It must end as an ordinary call outcome, with the service answering everyone after.
/// </summary>
[Collection("service")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CompilerTierContainmentTests : IDisposable
{
    private readonly string _experts = Directory.CreateTempSubdirectory("polymath-service-deep-").FullName;

    public CompilerTierContainmentTests()
    {
        TestExperts.WritePackage(_experts, "deep", TestExperts.Echo("deep", "d", edit: LargeFrameRecursion));
        TestExperts.CopyArithmetic(_experts);
    }

    public void Dispose() => Directory.Delete(_experts, recursive: true);

    /// <summary>The test expert's <c>recurse</c> op with 2,000 i64 operands on the stack across each recursive call.</summary>
    private static string LargeFrameRecursion(string wat)
    {
        const string plain = "(func $recurse (param $n i32) (result i32)\n    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))";
        Assert.Contains(plain, wat, StringComparison.Ordinal);
        var body = new StringBuilder("(func $recurse (param $n i32) (result i32) (local $r i32)\n");
        for (int i = 0; i < 2000; i++) body.Append("    i64.const ").Append(i).Append('\n');
        body.Append("    (local.set $r (call $recurse (i32.add (local.get $n) (i32.const 1))))\n");
        for (int i = 0; i < 2000; i++) body.Append("    drop\n");
        body.Append("    (i32.add (local.get $r) (i32.const 1)))");
        return wat.Replace(plain, body.ToString(), StringComparison.Ordinal);
    }

    private static string? DeepRuntime(System.Text.Json.JsonElement listing)
    {
        var experts = listing.ValueKind == System.Text.Json.JsonValueKind.Array ? listing : listing.GetProperty("experts");
        foreach (var e in experts.EnumerateArray())
            if (e.GetProperty("id").GetString() == "deep") return e.TryGetProperty("runtime", out var r) ? r.GetString() : null;
        return null;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADeepLargeFrameRecursionOnTheCompilerTierIsAnOutcomeNotACrash(bool tierUp)
    {
        await using var service = await ServiceProcess.StartAsync(_experts, "--platform", "linux-arm", $"--Experts:TierUp={tierUp}", "--Experts:MetadataCacheDirectory=off");
        await using var client = await service.ConnectAsync();
        if (tierUp)
        {
            // Wait until the tier-up (its warm-up calls every op, this one too, on the compiler) has moved the expert.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string? runtime = null;
            while (DateTime.UtcNow < deadline)
            {
                runtime = DeepRuntime(await client.ListExpertsAsync());
                if (runtime == "compiler") break;
                await Task.Delay(100);
            }
            Assert.True(runtime == "compiler", $"deep is still on {runtime}:\n{await client.ListExpertsAsync()}\n{service.Output}");
        }
        for (int i = 0; i < 3; i++)
        {
            var call = await client.CallAsync("drecurse", "{}");
            Assert.True(call.Outcome is ExpertCallOutcome.LimitExceeded or ExpertCallOutcome.Trapped, call.Json);
            Assert.Equal("compiler", call.RuntimeId);
            Assert.False(service.HasExited, service.Output);
        }
        await client.HealthAsync();
        await using (var other = await service.ConnectAsync())
        {
            var gcd = await other.CallAsync("gcd", "{\"a\":12,\"b\":18}");
            Assert.True(gcd.IsResult, gcd.Json);
            Assert.Equal("6", gcd.Value!.Value.GetRawText());
        }
        Assert.Equal(0, await service.TerminateAsync());
    }
}
