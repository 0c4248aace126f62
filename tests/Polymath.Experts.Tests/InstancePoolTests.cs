using System.Collections.Concurrent;
using System.Text;
using Polymath.Experts;
using Polymath.Host.Experts;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// The registry's instance pool: a call after a call gets the same instance back (its own slot), the idle count never passes
/// the cap, no instance is ever handed to two renters at once, and nothing is kept after <see cref="ExpertInstancePool.Clear"/>.
/// </summary>
public class InstancePoolTests
{
    private static ExpertInstancePool Pool(int maxIdle)
    {
        var engine = TestRuntimes.Engine("interpreter");
        return new ExpertInstancePool(engine, engine.Compile(TestExperts.Echo()), StoreLimits.Default, WasiOptions.Denied, maxIdle);
    }

    [Fact]
    public void A_call_after_a_call_gets_the_same_instance_back()
    {
        var pool = Pool(4);
        var a = pool.Rent(default);
        pool.Return(a);
        Assert.Equal(1, pool.IdleCount);
        Assert.Same(a, pool.Rent(default));
        var b = pool.Rent(default);
        Assert.NotSame(a, b);
        pool.Return(a);
        pool.Return(b); // the slot is taken: b waits in the bag
        Assert.Equal(2, pool.IdleCount);
        Assert.Equal(new HashSet<ExpertInstance> { a, b }, new HashSet<ExpertInstance> { pool.Rent(default), pool.Rent(default) });
        Assert.Equal(0, pool.IdleCount);
    }

    [Fact]
    public void Keeps_at_most_the_cap_and_makes_new_instances_beyond_it()
    {
        var pool = Pool(3);
        var rented = Enumerable.Range(0, 5).Select(_ => pool.Rent(default)).ToList();
        foreach (var i in rented) pool.Return(i);
        Assert.Equal(3, pool.IdleCount);
        var again = Enumerable.Range(0, 5).Select(_ => pool.Rent(default)).ToList();
        Assert.Equal(3, again.Count(rented.Contains)); // the two over the cap were disposed, not kept
        Assert.Equal(5, again.Distinct().Count());
    }

    [Fact]
    public void A_cap_of_zero_keeps_nothing()
    {
        var pool = Pool(0);
        var a = pool.Rent(default);
        pool.Return(a);
        Assert.Equal(0, pool.IdleCount);
        Assert.NotSame(a, pool.Rent(default));
    }

    [Fact]
    public void Nothing_is_kept_after_clear()
    {
        var pool = Pool(4);
        var a = pool.Rent(default);
        var b = pool.Rent(default);
        pool.Return(a);
        pool.Clear();
        Assert.Equal(0, pool.IdleCount);
        pool.Return(b); // returned late, after the clear: disposed
        Assert.Equal(0, pool.IdleCount);
        Assert.NotSame(b, pool.Rent(default));
    }

    [Fact]
    public void Concurrent_renters_never_share_an_instance()
    {
        var pool = Pool(4);
        var inUse = new ConcurrentDictionary<ExpertInstance, int>(ReferenceEqualityComparer.Instance);
        var failures = new ConcurrentBag<string>();
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, n =>
        {
            var i = pool.Rent(default);
            if (!inUse.TryAdd(i, n)) failures.Add($"call {n} got an instance in use by call {inUse[i]}");
            string? r = i.Call("echo"u8, Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"), default, 1 << 16);
            if (r is null || !r.Contains($"\"n\":{n}", StringComparison.Ordinal)) failures.Add($"call {n}: {r}");
            inUse.TryRemove(i, out _);
            pool.Return(i);
        });
        Assert.Empty(failures);
        Assert.InRange(pool.IdleCount, 1, 4);
    }
}
