using System.Collections.Concurrent;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// A deploy renames a complete new experts directory into place. A reload that reads the path while that happens must
/// not publish what it saw half of: a package in both directories stays served throughout (the soak test found a
/// window in which a reload listed the old directory while it was being deleted, and retired the stable packages).
/// </summary>
[Collection(SoakCollection.Name)]
public sealed class DirectorySwapReloadTests : IDisposable
{
    private readonly TempDir _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task ReloadsRacingDirectorySwapsNeverRetireAPackageBothDirectoriesHold()
    {
        string dir = Path.Combine(_root.Path, "experts");
        byte[] stable = MiniExperts.Constant("stable", "st", "s");
        void Fill(string root, int churn)
        {
            Directory.CreateDirectory(root);
            TestExperts.WritePackage(root, "stable", stable, version: "s");
            // Many small packages make the listing and reading of one directory take long enough to be overtaken.
            for (int i = 0; i < 12; i++) TestExperts.WritePackage(root, $"filler{i}", MiniExperts.Constant($"filler{i}", $"f{i}", $"{churn % 3}.0.0"));
        }
        Fill(dir, 0);

        await using var host = ExpertHost.CreateBuilder()
            .Configure(o => { o.Directory = dir; o.Watch = false; })
            .AddRuntime(new InterpreterRuntimePlugin())
            .Build();
        await host.StartAsync();
        Assert.True(host.Call("st", "{}").IsResult);

        var failures = new ConcurrentQueue<string>();
        long calls = 0;
        using var stop = new CancellationTokenSource();
        var caller = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var c = host.Call("st", "{}");
                Interlocked.Increment(ref calls);
                if (!c.IsResult) failures.Enqueue($"{c.OutcomeName}: {c.Reason}");
            }
        });
        var reloader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) host.Reload();
        });

        for (int swap = 1; swap <= 60; swap++)
        {
            string next = Path.Combine(_root.Path, $"next{swap}");
            string old = Path.Combine(_root.Path, $"old{swap}");
            Fill(next, swap);
            Directory.Move(dir, old);
            Directory.Move(next, dir);
            Directory.Delete(old, recursive: true); // the old directory goes while a reload may still be reading it
            await Task.Delay(swap % 4);
        }
        stop.Cancel();
        await Task.WhenAll(caller, reloader);

        Assert.True(Interlocked.Read(ref calls) > 100, $"only {calls} calls ran");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {calls} calls to the package both directories hold failed, e.g. {string.Join(" | ", failures.Take(3))}");
        host.Reload();
        Assert.Equal(13, host.Experts.Count);
    }
}
