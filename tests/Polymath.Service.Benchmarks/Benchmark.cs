using System.Diagnostics;

namespace Polymath.Service.Benchmarks;

/// <summary>The measuring loop shared by every row.</summary>
internal static class Benchmark
{
    /// <summary>
    /// Each worker calls in a loop (one call outstanding per worker); after a 1 s warm-up (then
    /// <paramref name="afterWarmup"/>), every latency is recorded for <paramref name="duration"/>.
    /// </summary>
    public static async Task<Result> MeasureAsync(int workers, TimeSpan duration, Func<int, Task> call, bool synchronous, Func<Task>? afterWarmup = null)
    {
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed < TimeSpan.FromSeconds(1)) for (int w = 0; w < workers; w++) await call(w);
        if (afterWarmup is not null) await afterWarmup();
        var latencies = new List<long>[workers];
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<long>(1 << 20);
            while (total.Elapsed < duration)
            {
                long t0 = Stopwatch.GetTimestamp();
                if (synchronous) call(w).GetAwaiter().GetResult(); else await call(w);
                mine.Add(Stopwatch.GetTimestamp() - t0);
            }
        })));
        double elapsed = total.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double us(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
        return new Result(us(all[all.Length / 2]), us(all[(int)(all.Length * 0.99)]), all.Length / elapsed, all.Length);
    }
}
