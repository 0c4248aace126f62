using Polymath.Sdk;

namespace Polymath.Runtime.Native.Tests;

/// <summary>
/// The plugin on its own: probe, and the expert ABI checks that still apply to native code — result cap with a bounded
/// NUL search, declined = NULL, strict UTF-8, allocator failure, every block freed through the kernel's own allocator —
/// on a hand-written kernel whose ops misbehave on purpose.
/// </summary>
public sealed class PluginTests : IDisposable
{
    // Ops: echo (value = args), decline (NULL), big (a result of exactly N bytes, N from args), nonul (a static buffer of
    // 1 MiB 'x' with no NUL), badutf8, failnext (the next larql_alloc returns NULL), outstanding (blocks not yet freed).
    private const string AbiKernel = """
        #include <stdlib.h>
        #include <string.h>
        static int outstanding, fail_next;
        static char nonul[1 << 20];
        void *larql_alloc(size_t n) { if (fail_next) { fail_next = 0; return 0; } outstanding++; return malloc(n ? n : 1); }
        void larql_dealloc(void *p, size_t n) { (void)n; if (p) { outstanding--; free(p); } }
        static char *dup(const char *s) { size_t n = strlen(s) + 1; char *p = larql_alloc(n); memcpy(p, s, n); return p; }
        static int is(const char *op, size_t len, const char *name) { return len == strlen(name) && !memcmp(op, name, len); }
        char *larql_call(const char *op, size_t op_len, const char *args, size_t args_len) {
            if (is(op, op_len, "echo")) {
                char *r = larql_alloc(args_len + 12); memcpy(r, "{\"value\":", 9); memcpy(r + 9, args, args_len);
                r[9 + args_len] = '}'; r[10 + args_len] = 0; return r;
            }
            if (is(op, op_len, "decline")) return 0;
            if (is(op, op_len, "big")) { int n = 0; for (size_t i = 0; i < args_len; i++) n = n * 10 + (args[i] - '0'); char *r = larql_alloc(n + 1); memset(r, 'x', n); r[n] = 0; return r; }
            if (is(op, op_len, "nonul")) { memset(nonul, 'x', sizeof nonul); return nonul; }
            if (is(op, op_len, "badutf8")) return dup("{\"value\":\"\xff\xfe\"}");
            if (is(op, op_len, "failnext")) { char *r = dup("{\"value\":true}"); fail_next = 1; return r; }
            if (is(op, op_len, "outstanding")) { char b[64]; int k = outstanding; b[0] = 0; strcat(b, "{\"value\":"); char d[16]; int i = 15; d[i] = 0; do { d[--i] = '0' + k % 10; k /= 10; } while (k); strcat(b, d + i); strcat(b, "}"); return dup(b); }
            return 0;
        }
        char *larql_metadata(void) { return dup("{\"id\":\"abi\",\"tier\":1,\"ops\":[\"echo\",\"decline\",\"big\",\"nonul\",\"badutf8\",\"failnext\",\"outstanding\"]}"); }
        """;

    private readonly Tools.TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private INativeKernel Load() => new NativeKernelRuntimePlugin().LoadKernel(Native.CompileKernel(_tmp.Path, "abi", AbiKernel));

    [Fact]
    public void ProbeIsAvailableHereWithExecNativeOnlyAndUnavailableWhenSimulated()
    {
        var plugin = new NativeKernelRuntimePlugin();
        Assert.Equal(("native", RuntimeTier.Native), (plugin.Descriptor.Id, plugin.Descriptor.Tier));
        var here = plugin.Probe(PlatformInfo.Current);
        Assert.True(here.IsAvailable, here.Reason);
        Assert.Equal([Capabilities.ExecNative], here.Capabilities);
        var arm = plugin.Probe(PlatformInfo.FromRuntimeIdentifier("linux-arm"));
        Assert.False(arm.IsAvailable);
        Assert.Contains("linux-arm", arm.Reason);
        Assert.Throws<NotSupportedException>(() => plugin.CreateEngine(new EngineOptions()));
    }

    [Fact]
    public void LoadingSomethingThatIsNotAKernelSaysWhy()
    {
        var plugin = new NativeKernelRuntimePlugin();
        Assert.Throws<DllNotFoundException>(() => plugin.LoadKernel(Path.Combine(_tmp.Path, "missing.so")));
        string half = Native.CompileKernel(_tmp.Path, "half", "void *larql_alloc(unsigned long n) { (void)n; return 0; }\n");
        var e = Assert.Throws<EntryPointNotFoundException>(() => plugin.LoadKernel(half));
        Assert.Contains("larql_dealloc", e.Message);
    }

    [Fact]
    public void ResultsDeclinesAndTheResultCap()
    {
        using var kernel = Load();
        Assert.Contains("\"id\":\"abi\"", kernel.Metadata);
        Assert.Equal("""{"value":{"a":1}}""", kernel.Call("echo"u8, """{"a":1}"""u8, 100));
        Assert.Null(kernel.Call("decline"u8, "{}"u8, 100));
        Assert.Null(kernel.Call("no-such-op"u8, "{}"u8, 100));
        Assert.Equal(100, kernel.Call("big"u8, "100"u8, 100)!.Length); // exactly at the cap
        var over = Assert.Throws<NativeKernelAbiException>(() => kernel.Call("big"u8, "101"u8, 100));
        Assert.Equal(NativeKernelAbiError.ResultTooLarge, over.Error);
        Assert.Contains("100 bytes", over.Message);
    }

    [Fact]
    public void AResultWithoutNulIsReadOnlyUpToTheCap()
    {
        using var kernel = Load();
        var e = Assert.Throws<NativeKernelAbiException>(() => kernel.Call("nonul"u8, "{}"u8, 1000));
        Assert.Equal(NativeKernelAbiError.ResultTooLarge, e.Error);
        Assert.Equal("""{"value":2}""", kernel.Call("outstanding"u8, "{}"u8, 100)); // still usable; nothing leaked
    }

    [Fact]
    public void InvalidUtf8AndAllocatorFailureAreAbiErrorsAndTheKernelStaysUsable()
    {
        using var kernel = Load();
        Assert.Equal(NativeKernelAbiError.InvalidResult, Assert.Throws<NativeKernelAbiException>(() => kernel.Call("badutf8"u8, "{}"u8, 100)).Error);
        Assert.NotNull(kernel.Call("failnext"u8, "{}"u8, 100));
        Assert.Equal(NativeKernelAbiError.AllocFailed, Assert.Throws<NativeKernelAbiException>(() => kernel.Call("echo"u8, "1"u8, 100)).Error);
        Assert.Equal("""{"value":1}""", kernel.Call("echo"u8, "1"u8, 100));
    }

    [Fact]
    public void EveryBlockIsFreedThroughTheKernelsAllocatorAndCallsAreSerialized()
    {
        using var kernel = Load();
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 2000; i++)
                Assert.Equal("""{"value":[1,2,3]}""", kernel.Call("echo"u8, "[1,2,3]"u8, 100));
        });
        _ = Assert.Throws<NativeKernelAbiException>(() => kernel.Call("badutf8"u8, "{}"u8, 100));
        // During this call: op and args (2 blocks); every earlier block — results included — was freed.
        Assert.Equal("""{"value":2}""", kernel.Call("outstanding"u8, "{}"u8, 100));
    }

    [Fact]
    public void TheSdkDefaultBoundedCallChecksTheSizeForKernelsThatDoNotImplementIt()
    {
        INativeKernel plain = new UnboundedKernel("""{"value":"0123456789"}""");
        Assert.NotNull(plain.Call("x"u8, "{}"u8, 100));
        Assert.Equal(NativeKernelAbiError.ResultTooLarge, Assert.Throws<NativeKernelAbiException>(() => plain.Call("x"u8, "{}"u8, 10)).Error);
    }

    private sealed class UnboundedKernel(string result) : INativeKernel
    {
        public string Metadata => """{"id":"x","tier":1,"ops":["x"]}""";
        public string? Call(ReadOnlySpan<byte> opUtf8, ReadOnlySpan<byte> argsUtf8) => result;
        public void Dispose() { }
    }

    [Fact]
    public void ADisposedKernelRefusesCalls()
    {
        var kernel = Load();
        kernel.Dispose();
        kernel.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kernel.Call("echo"u8, "1"u8, 100));
    }
}
