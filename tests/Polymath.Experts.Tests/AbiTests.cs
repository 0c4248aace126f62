using System.Text;
using Polymath.Experts;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>The larql ABI caller and the WASI shim against real modules on every runtime (<see cref="TestRuntimes"/>).</summary>
public class AbiTests
{
    private static ExpertInstance Instance(string runtime, byte[] wasm, WasiOptions? wasi = null, StoreLimits? limits = null)
    {
        var engine = TestRuntimes.Engine(runtime);
        return ExpertInstance.Create(engine, engine.Compile(wasm), limits ?? StoreLimits.Default, wasi ?? WasiOptions.Denied);
    }

    private static string? Call(ExpertInstance i, string op, string args = "{}", int max = 1 << 20) =>
        i.Call(Encoding.UTF8.GetBytes(op), Encoding.UTF8.GetBytes(args), default, max);

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void ReadsMetadataAndEchoes(string runtime)
    {
        using var i = Instance(runtime, TestExperts.Echo());
        var m = i.ReadMetadata("echo.wasm");
        Assert.Equal("echo", m.Id);
        Assert.Contains(m.Ops, o => o.Name == "echo" && o.Args.SequenceEqual(["x"]));
        string json = Call(i, "echo", """{"x":42}""")!;
        var r = ExpertResult.Parse(json, "echo", "echo", 7); // attributed by the host's routing, not the guest's fields
        Assert.Equal(42, r.Value.GetProperty("x").GetInt32());
        Assert.Equal("echo", r.ExpertId);
        Assert.Equal("echo", r.Op);
        Assert.Equal(7ul, r.LatencyNs);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void ZeroImportModuleWorksAndInitializeIsCalled(string runtime)
    {
        var wasm = TestExperts.Echo(wasi: false);
        Assert.Empty(TestRuntimes.Engine(runtime).Compile(wasm).Definition.Imports);
        using var i = Instance(runtime, wasm);
        // larql_call traps unless _initialize ran.
        Assert.NotNull(Call(i, "echo", "[1,2]"));
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void DeclineIsNull(string runtime) { using var i = Instance(runtime, TestExperts.Echo()); Assert.Null(Call(i, "decline")); Assert.Null(Call(i, "no-such-op")); }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void GuestMemoryStaysFlatOver2000Calls(string runtime)
    {
        using var i = Instance(runtime, TestExperts.Echo());
        Call(i, "echo", """{"warm":"up"}""");
        uint pages = i.Memory.Pages;
        string args = "{\"x\":\"" + new string('y', 3000) + "\"}";
        for (int n = 0; n < 2000; n++)
        {
            Assert.NotNull(Call(i, "echo", args));
            Assert.Null(Call(i, "decline", args));
        }
        // The guest's dealloc traps on a wrong length and its heap only resets when everything was freed:
        // flat pages prove op, args and result (len + 1) were all freed exactly (one leaked 3 KB buffer per call
        // would need ~100 more pages).
        Assert.Equal(pages, i.Memory.Pages);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void WildResultPointerIsAnAbiError(string runtime)
    {
        using var i = Instance(runtime, TestExperts.Echo());
        var e = Assert.Throws<ExpertAbiException>(() => Call(i, "wild"));
        Assert.Equal(AbiViolation.WildPointer, e.Violation);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void MissingNulIsAnAbiError(string runtime)
    {
        using var i = Instance(runtime, TestExperts.Echo());
        var e = Assert.Throws<ExpertAbiException>(() => Call(i, "nonul"));
        Assert.Equal(AbiViolation.MissingNul, e.Violation);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void OversizedResultIsRejectedWithoutScanningPastTheCap(string runtime)
    {
        using var i = Instance(runtime, TestExperts.Echo());
        var e = Assert.Throws<ExpertAbiException>(() => Call(i, "huge", max: 1 << 20));
        Assert.Equal(AbiViolation.ResultTooLarge, e.Violation);
        using var j = Instance(runtime, TestExperts.Echo());
        Assert.Equal(2097152, Call(j, "huge", max: 4 << 20)!.Length);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void AllocReturningZeroIsRejected(string runtime)
    {
        using var i = Instance(runtime, TestExperts.AllocZero());
        var e = Assert.Throws<ExpertAbiException>(() => Call(i, "anything"));
        Assert.Equal(AbiViolation.AllocFailed, e.Violation);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void OldStyleMetadataIsAccepted(string runtime)
    {
        using var i = Instance(runtime, TestExperts.AllocZero());
        var m = i.ReadMetadata("alloc_zero.wasm");
        Assert.True(m.IsOldStyle);
        Assert.Equal("anything", Assert.Single(m.Ops).Name);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void BadResultJsonIsInvalidResult(string runtime)
    {
        using var i = Instance(runtime, TestExperts.Echo());
        string json = Call(i, "badjson")!;
        var e = Assert.Throws<ExpertAbiException>(() => ExpertResult.Parse(json, "echo", "badjson", 0));
        Assert.Equal(AbiViolation.InvalidResult, e.Violation);
    }

    public static TheoryData<string, WasiGrants, int, int, int> GrantCases()
    {
        var data = new TheoryData<string, WasiGrants, int, int, int>();
        foreach (var runtime in RuntimePlugins.All.Keys)
        {
            data.Add(runtime, WasiGrants.All, 0, 1, 1);
            data.Add(runtime, WasiGrants.None, 8, 760, 760);
            data.Add(runtime, WasiGrants.Clock, 8, 1, 760);
            data.Add(runtime, WasiGrants.Random | WasiGrants.Stdio, 0, 760, 1);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(GrantCases))]
    public void WasiGrantsOnAndOff(string runtime, WasiGrants grants, int print, int clock, int random)
    {
        var sink = new RecordingSink();
        using var i = Instance(runtime, TestExperts.Echo(), new WasiOptions { Grants = grants, Output = sink });
        int Value(string op) => ExpertResult.Parse(Call(i, op)!, "", "", 0).Value.GetInt32();
        Assert.Equal(print, Value("print"));
        Assert.Equal(clock, Value("clock"));   // errno * 10 + (time written ? 1 : 0)
        Assert.Equal(random, Value("random")); // errno * 10 + (bytes written ? 1 : 0)
        Assert.Equal(grants.HasFlag(WasiGrants.Stdio) ? "hello from wasm\n" : "", sink.Text);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void ProcExitTrapsWithTheCode(string runtime)
    {
        using var i = Instance(runtime, TestExperts.Echo());
        var e = Assert.Throws<WasmTrapException>(() => Call(i, "exit"));
        Assert.Equal(TrapKind.Exit, e.Kind);
        Assert.Equal(3, e.ExitCode);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void NonWasiImportIsALinkErrorNamingIt(string runtime)
    {
        var wasm = TestExperts.Compile("(module (import \"env\" \"steal\" (func)) (memory (export \"memory\") 1))");
        var e = Assert.Throws<WasmLinkException>(() => Instance(runtime, wasm));
        Assert.Contains("env.steal", e.Message);
    }
}
