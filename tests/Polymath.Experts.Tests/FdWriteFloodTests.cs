using System.Buffers.Binary;
using System.Diagnostics;
using Polymath.Experts;
using Polymath.Host.Experts;
using Polymath.Host.Catalog;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// A granted guest (<c>wasi.stdio</c>) that floods <c>fd_write</c>: one call with 100,000 iovecs of 1 MiB writes at most
/// <see cref="WasiPreview1.MaxBytesPerWrite"/>, and a slow log cannot keep the guest in the host past its deadline
/// (issue #24, item 11). On every runtime.
/// </summary>
public sealed class FdWriteFloodTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<ExpertHost> _owned = [];

    public void Dispose()
    {
        foreach (var r in _owned) r.Dispose();
        _dir.Dispose();
    }

    // The test expert's "print" op, rewritten: grow memory to 49 pages, write 100,000 iovecs at 1 MiB that all point at
    // the same buffer at 2 MiB of iovLength bytes, call fd_write once with all of them and return nwritten.
    private static byte[] Flood(string id, int iovLength)
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "wat", "test_expert.wat")).Replace("{{ID}}", id).Replace("{{TIER}}", "1").Replace("{{VERSION}}", "1.0.0");
        const string Original = "      (i32.store (i32.const 3900) (i32.const 864)) ;;WASI";
        int start = text.IndexOf(Original, StringComparison.Ordinal);
        int end = text.IndexOf('\n', text.IndexOf("(i32.const 3908))", start, StringComparison.Ordinal));
        Assert.True(start > 0 && end > start, "the print op of test_expert.wat changed: update this test");
        string flood = $$"""
                  (drop (memory.grow (i32.const 48)))
                  (local.set $e (i32.const 1048576))
                  (block $d (loop $l (br_if $d (i32.ge_u (local.get $e) (i32.const 1848576)))
                    (i32.store (local.get $e) (i32.const 2097152))
                    (i32.store (i32.add (local.get $e) (i32.const 4)) (i32.const {{iovLength}}))
                    (local.set $e (i32.add (local.get $e) (i32.const 8))) (br $l)))
                  (local.set $p (call $fd_write (i32.const 1) (i32.const 1048576) (i32.const 100000) (i32.const 3908)))
                  (if (local.get $p) (then unreachable))
                  (return (call $number (local.get $op) (local.get $oplen) (i32.load (i32.const 3908))))))
            """;
        return TestExperts.Compile(text[..start] + flood + text[(end + 1)..]);
    }

    private ExpertHost Registry(string runtime, IWasiOutputSink sink, int timeoutMs)
    {
        var options = new ExpertHostOptions { Directory = _dir.Path, Watch = false };
        options.Grants["flood"] = ["wasi.stdio"];
        options.Limits.TimeoutMs = timeoutMs;
        var registry = new ExpertHost(options, [RuntimeReport.FromPlugin(RuntimePlugins.All[runtime](), PlatformInfo.Current)], PlatformInfo.Current, output: sink);
        _owned.Add(registry);
        registry.Reload();
        return registry;
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void AHundredThousandIovecsOfOneMiBWriteOneMiB(string runtime)
    {
        TestExperts.WritePackage(_dir.Path, "flood", Flood("flood", 1 << 20), extra: ",\"grants\":[\"wasi.stdio\"]");
        var sink = new CountingSink(delayMs: 0);
        var r = Registry(runtime, sink, timeoutMs: 10_000);
        var sw = Stopwatch.StartNew();
        var result = r.Call("print", "{}");
        Assert.True(result.IsResult, $"{result.Outcome}: {result.Reason}");
        Assert.Equal(WasiPreview1.MaxBytesPerWrite, result.Result!.Value.GetInt32()); // a short write, reported as such
        Assert.Equal(WasiPreview1.MaxBytesPerWrite, sink.Bytes);
        Assert.True(sw.ElapsedMilliseconds < 5_000, $"one fd_write took {sw.ElapsedMilliseconds} ms");
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void ASlowLogCannotHoldTheGuestPastItsDeadline(string runtime)
    {
        // 100,000 one-byte iovecs into a log that takes 1 ms per write: 100 s without the deadline check in fd_write.
        TestExperts.WritePackage(_dir.Path, "flood", Flood("flood", 1), extra: ",\"grants\":[\"wasi.stdio\"]");
        var sink = new CountingSink(delayMs: 1);
        var r = Registry(runtime, sink, timeoutMs: 300);
        var sw = Stopwatch.StartNew();
        var result = r.Call("print", "{}");
        Assert.Equal(ExpertCallOutcome.LimitExceeded, result.Outcome);
        Assert.Equal(ExpertLimitKind.Timeout, result.Limit);
        Assert.True(sw.ElapsedMilliseconds < 3_000, $"the call ended {sw.ElapsedMilliseconds} ms after it started (timeout 300 ms)");
        Assert.InRange(sink.Writes, 1, 10_000);
        // The registry still serves: the next call gets a fresh instance.
        Assert.True(r.Call("echo", "{\"x\":1}").IsResult);
    }

    [Fact]
    public void FdWriteChecksTheDeadlineBeforeEachIovec()
    {
        var sink = new CountingSink(delayMs: 0);
        var wasi = new WasiPreview1(new WasiOptions { Grants = WasiGrants.Stdio, Output = sink });
        var mem = new byte[4096];
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(mem.AsSpan(16 + i * 8), 1000);
            BinaryPrimitives.WriteInt32LittleEndian(mem.AsSpan(20 + i * 8), 10);
        }
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var trap = Assert.Throws<WasmTrapException>(() => wasi.FdWrite(mem, 1, 16, 4, 200, cancelled.Token));
        Assert.Equal(TrapKind.Interrupted, trap.Kind);
        Assert.Equal(0, sink.Writes);
        Assert.Equal(WasiPreview1.Success, wasi.FdWrite(mem, 1, 16, 4, 200, CancellationToken.None));
        Assert.Equal(40, BinaryPrimitives.ReadInt32LittleEndian(mem.AsSpan(200)));
    }

    private sealed class CountingSink(int delayMs) : IWasiOutputSink
    {
        private long _bytes;
        private int _writes;
        public long Bytes => Interlocked.Read(ref _bytes);
        public int Writes => Volatile.Read(ref _writes);

        public void Write(int fd, ReadOnlySpan<byte> data)
        {
            Interlocked.Add(ref _bytes, data.Length);
            Interlocked.Increment(ref _writes);
            if (delayMs > 0) Thread.Sleep(delayMs);
        }
    }
}
