namespace Polymath.Cluster.Tests;

/// <summary>
/// A silo the others declare dead (here: stalled with SIGSTOP past the probes, then resumed) learns it from the
/// membership table and leaves: it logs why and exits with code 3 after stopping its host, instead of Orleans' fail-fast
/// (SIGABRT, exit 134); the surviving silo keeps answering.
/// </summary>
public sealed class SiloDeclaredDeadTests
{
    private static readonly string[] Settings =
        ["--Cluster:ProbeTimeoutMs=500", "--Cluster:MissedProbes=2", "--Cluster:RefreshMs=200", "--Cluster:WorkerThreads=2"];

    [Fact]
    public async Task AStalledSiloDeclaredDeadExitsWithCodeThreeAndSaysWhy()
    {
        using var redis = await RedisServer.StartAsync();
        string cluster = $"dead-{Guid.NewGuid():N}"[..13];
        await using var survivor = ServeSilo.Start(redis.Membership, cluster, Repository.ExpertsDirectory, Settings);
        await using var stalled = ServeSilo.Start(redis.Membership, cluster, Repository.ExpertsDirectory, Settings);
        await survivor.WaitForActiveAsync(2, TimeSpan.FromSeconds(90));
        await stalled.WaitForActiveAsync(2, TimeSpan.FromSeconds(90));
        string address = await stalled.AddressAsync();

        stalled.Pause(stop: true);
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!((await survivor.SilosAsync()).TryGetValue(address, out var s) && s.Status == "Dead"))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{address} was not declared dead within 30 s of SIGSTOP");
                await Task.Delay(200);
            }
        }
        finally
        {
            stalled.Pause(stop: false);
        }

        int exit = await stalled.ExitCodeAsync(TimeSpan.FromSeconds(40));
        Assert.True(exit == 3, $"exit code {exit}, expected 3:\n{stalled.Stderr}");
        Assert.Contains("This silo must leave the cluster", stalled.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Process terminated", stalled.Stderr, StringComparison.Ordinal);

        await using var client = await Polymath.Client.PolymathClient.ConnectAsync(survivor.Socket);
        Assert.Equal("6", (await client.CallAsync("gcd", """{"a":12,"b":18}""")).Value?.GetRawText());
    }
}
