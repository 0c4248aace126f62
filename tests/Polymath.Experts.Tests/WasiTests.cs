using System.Buffers.Binary;
using System.Text;
using Polymath.Experts;
using Xunit;

namespace Polymath.Experts.Tests;

public sealed class RecordingSink : IWasiOutputSink
{
    private readonly StringBuilder _text = new();
    public List<int> Fds { get; } = [];
    public void Write(int fd, ReadOnlySpan<byte> data)
    {
        lock (_text) { Fds.Add(fd); _text.Append(Encoding.UTF8.GetString(data)); }
    }
    public string Text { get { lock (_text) return _text.ToString(); } }
}

/// <summary>The WASI shim against a plain byte array standing in for guest memory.</summary>
public class WasiTests
{
    private static (WasiPreview1 Wasi, RecordingSink Sink) Shim(WasiGrants grants)
    {
        var sink = new RecordingSink();
        return (new WasiPreview1(new WasiOptions { Grants = grants, Output = sink }), sink);
    }

    private static byte[] MemoryWithIov(string text, out int iovs, out int nwritten)
    {
        var mem = new byte[1024];
        Encoding.UTF8.GetBytes(text).CopyTo(mem, 100);
        iovs = 16;
        BinaryPrimitives.WriteInt32LittleEndian(mem.AsSpan(16), 100);
        BinaryPrimitives.WriteInt32LittleEndian(mem.AsSpan(20), Encoding.UTF8.GetByteCount(text));
        nwritten = 32;
        return mem;
    }

    [Fact]
    public void FdWriteGrantedReachesTheSink()
    {
        var (wasi, sink) = Shim(WasiGrants.Stdio);
        var mem = MemoryWithIov("hello", out int iovs, out int nw);
        Assert.Equal(WasiPreview1.Success, wasi.FdWrite(mem, 1, iovs, 1, nw));
        Assert.Equal(5, BinaryPrimitives.ReadInt32LittleEndian(mem.AsSpan(nw)));
        Assert.Equal("hello", sink.Text);
        Assert.Equal(WasiPreview1.Success, wasi.FdWrite(mem, 2, iovs, 1, nw));
        Assert.Equal([1, 2], sink.Fds);
    }

    [Fact]
    public void FdWriteUngrantedAnswersBadfAndWritesNothing()
    {
        var (wasi, sink) = Shim(WasiGrants.Clock | WasiGrants.Random);
        var mem = MemoryWithIov("secret", out int iovs, out int nw);
        Assert.Equal(WasiPreview1.BadF, wasi.FdWrite(mem, 1, iovs, 1, nw));
        Assert.Equal("", sink.Text);
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(mem.AsSpan(nw)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-1)]
    public void FdWriteToOtherFdsIsBadf(int fd)
    {
        var (wasi, sink) = Shim(WasiGrants.All);
        var mem = MemoryWithIov("x", out int iovs, out int nw);
        Assert.Equal(WasiPreview1.BadF, wasi.FdWrite(mem, fd, iovs, 1, nw));
        Assert.Equal("", sink.Text);
    }

    [Fact]
    public void FdWriteWithHostilePointersFaults()
    {
        var (wasi, sink) = Shim(WasiGrants.Stdio);
        var mem = MemoryWithIov("x", out int iovs, out int nw);
        Assert.Equal(WasiPreview1.Fault, wasi.FdWrite(mem, 1, 1020, 1, nw));           // iov array past the end
        Assert.Equal(WasiPreview1.Fault, wasi.FdWrite(mem, 1, iovs, 1, 1022));          // nwritten past the end
        Assert.Equal(WasiPreview1.Fault, wasi.FdWrite(mem, 1, iovs, int.MaxValue, nw)); // huge iov count
        BinaryPrimitives.WriteInt32LittleEndian(mem.AsSpan(iovs + 4), int.MaxValue);   // buffer length past the end
        Assert.Equal(WasiPreview1.Fault, wasi.FdWrite(mem, 1, iovs, 1, nw));
        BinaryPrimitives.WriteInt32LittleEndian(mem.AsSpan(iovs), -16);                // pointer 0xFFFFFFF0
        BinaryPrimitives.WriteInt32LittleEndian(mem.AsSpan(iovs + 4), 32);
        Assert.Equal(WasiPreview1.Fault, wasi.FdWrite(mem, 1, iovs, 1, nw));
        Assert.Equal("", sink.Text);
    }

    [Fact]
    public void ClockGrantedAndUngranted()
    {
        var mem = new byte[64];
        var (denied, _) = Shim(WasiGrants.Stdio | WasiGrants.Random);
        Assert.Equal(WasiPreview1.NotCapable, denied.ClockTimeGet(mem, 0, 0, 8));
        Assert.Equal(WasiPreview1.NotCapable, denied.ClockResGet(mem, 1, 8));
        Assert.All(mem, b => Assert.Equal(0, b));

        var (granted, _) = Shim(WasiGrants.Clock);
        Assert.Equal(WasiPreview1.Success, granted.ClockTimeGet(mem, 0, 0, 8));
        ulong ns = BinaryPrimitives.ReadUInt64LittleEndian(mem.AsSpan(8));
        ulong expected = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        Assert.InRange(ns, expected - 60_000_000_000UL, expected + 1);
        Assert.Equal(WasiPreview1.Success, granted.ClockTimeGet(mem, 1, 0, 16));
        Assert.Equal(WasiPreview1.Success, granted.ClockResGet(mem, 1, 24));
        Assert.NotEqual(0UL, BinaryPrimitives.ReadUInt64LittleEndian(mem.AsSpan(24)));
        Assert.Equal(WasiPreview1.Inval, granted.ClockTimeGet(mem, 9, 0, 8));
        Assert.Equal(WasiPreview1.Fault, granted.ClockTimeGet(mem, 0, 0, 60));
    }

    [Fact]
    public void RandomGrantedAndUngranted()
    {
        var mem = new byte[256];
        var (denied, _) = Shim(WasiGrants.Stdio | WasiGrants.Clock);
        Assert.Equal(WasiPreview1.NotCapable, denied.RandomGet(mem, 0, 256));
        Assert.All(mem, b => Assert.Equal(0, b));
        var (granted, _) = Shim(WasiGrants.Random);
        Assert.Equal(WasiPreview1.Success, granted.RandomGet(mem, 0, 128));
        Assert.Contains(mem[..128], b => b != 0);
        Assert.All(mem[128..], b => Assert.Equal(0, b));
        Assert.Equal(WasiPreview1.Fault, granted.RandomGet(mem, 200, 100));
        Assert.Equal(WasiPreview1.Fault, granted.RandomGet(mem, 0, -1));
    }

    [Fact]
    public void ArgsAndEnvironAreAlwaysEmpty()
    {
        var mem = Enumerable.Repeat((byte)0xAA, 32).ToArray();
        var (wasi, _) = Shim(WasiGrants.All);
        Assert.Equal(WasiPreview1.Success, wasi.SizesGet(mem, 0, 4));
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(mem));
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(mem.AsSpan(4)));
        Assert.Equal(WasiPreview1.Fault, wasi.SizesGet(mem, 30, 4));
    }
}
