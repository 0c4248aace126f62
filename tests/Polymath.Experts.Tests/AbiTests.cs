using System.Text;
using Polymath.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// The larql ABI caller and the WASI shim against real modules on the interpreter. Each runtime plugin runs the same
/// tests through a subclass that overrides <see cref="Engine"/> (see <see cref="CompilerAbiTests"/>).
/// </summary>
public class AbiTests
{
    private static readonly IWasmEngine InterpreterEngine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());

    /// <summary>The engine under test.</summary>
    protected virtual IWasmEngine Engine => InterpreterEngine;

    private ExpertInstance Instance(byte[] wasm, WasiOptions? wasi = null, StoreLimits? limits = null) =>
        ExpertInstance.Create(Engine, Engine.Compile(wasm), limits ?? StoreLimits.Default, wasi ?? WasiOptions.Denied);

    private static string? Call(ExpertInstance i, string op, string args = "{}", int max = 1 << 20) =>
        i.Call(Encoding.UTF8.GetBytes(op), Encoding.UTF8.GetBytes(args), default, max);

    [Fact]
    public void ReadsMetadataAndEchoes()
    {
        using var i = Instance(TestExperts.Echo());
        var m = i.ReadMetadata("echo.wasm");
        Assert.Equal("echo", m.Id);
        Assert.Contains(m.Ops, o => o.Name == "echo" && o.Args.SequenceEqual(["x"]));
        string json = Call(i, "echo", """{"x":42}""")!;
        var r = ExpertResult.Parse(json, "?", "?", 7);
        Assert.Equal(42, r.Value.GetProperty("x").GetInt32());
        Assert.Equal("echo", r.ExpertId);
        Assert.Equal("echo", r.Op);
        Assert.Equal(7ul, r.LatencyNs);
    }

    [Fact]
    public void ZeroImportModuleWorksAndInitializeIsCalled()
    {
        var wasm = TestExperts.Echo(wasi: false);
        Assert.Empty(Engine.Compile(wasm).Definition.Imports);
        using var i = Instance(wasm);
        // larql_call traps unless _initialize ran.
        Assert.NotNull(Call(i, "echo", "[1,2]"));
    }

    [Fact]
    public void DeclineIsNull() { using var i = Instance(TestExperts.Echo()); Assert.Null(Call(i, "decline")); Assert.Null(Call(i, "no-such-op")); }

    [Fact]
    public void GuestMemoryStaysFlatOver2000Calls()
    {
        using var i = Instance(TestExperts.Echo());
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

    [Fact]
    public void WildResultPointerIsAnAbiError()
    {
        using var i = Instance(TestExperts.Echo());
        var e = Assert.Throws<ExpertAbiException>(() => Call(i, "wild"));
        Assert.Equal(AbiViolation.WildPointer, e.Violation);
    }

    [Fact]
    public void MissingNulIsAnAbiError()
    {
        using var i = Instance(TestExperts.Echo());
        var e = Assert.Throws<ExpertAbiException>(() => Call(i, "nonul"));
        Assert.Equal(AbiViolation.MissingNul, e.Violation);
    }

    [Fact]
    public void OversizedResultIsRejectedWithoutScanningPastTheCap()
    {
        using var i = Instance(TestExperts.Echo());
        var e = Assert.Throws<ExpertAbiException>(() => Call(i, "huge", max: 1 << 20));
        Assert.Equal(AbiViolation.ResultTooLarge, e.Violation);
        using var j = Instance(TestExperts.Echo());
        Assert.Equal(2097152, Call(j, "huge", max: 4 << 20)!.Length);
    }

    [Fact]
    public void AllocReturningZeroIsRejected()
    {
        using var i = Instance(TestExperts.AllocZero());
        var e = Assert.Throws<ExpertAbiException>(() => Call(i, "anything"));
        Assert.Equal(AbiViolation.AllocFailed, e.Violation);
    }

    [Fact]
    public void OldStyleMetadataIsAccepted()
    {
        using var i = Instance(TestExperts.AllocZero());
        var m = i.ReadMetadata("alloc_zero.wasm");
        Assert.True(m.IsOldStyle);
        Assert.Equal("anything", Assert.Single(m.Ops).Name);
    }

    [Fact]
    public void BadResultJsonIsInvalidResult()
    {
        using var i = Instance(TestExperts.Echo());
        string json = Call(i, "badjson")!;
        var e = Assert.Throws<ExpertAbiException>(() => ExpertResult.Parse(json, "echo", "badjson", 0));
        Assert.Equal(AbiViolation.InvalidResult, e.Violation);
    }

    [Theory]
    [InlineData(WasiGrants.All, 0, 1, 1)]
    [InlineData(WasiGrants.None, 8, 760, 760)]
    [InlineData(WasiGrants.Clock, 8, 1, 760)]
    [InlineData(WasiGrants.Random | WasiGrants.Stdio, 0, 760, 1)]
    public void WasiGrantsOnAndOff(WasiGrants grants, int print, int clock, int random)
    {
        var sink = new RecordingSink();
        using var i = Instance(TestExperts.Echo(), new WasiOptions { Grants = grants, Output = sink });
        int Value(string op) => ExpertResult.Parse(Call(i, op)!, "", "", 0).Value.GetInt32();
        Assert.Equal(print, Value("print"));
        Assert.Equal(clock, Value("clock"));   // errno * 10 + (time written ? 1 : 0)
        Assert.Equal(random, Value("random")); // errno * 10 + (bytes written ? 1 : 0)
        Assert.Equal(grants.HasFlag(WasiGrants.Stdio) ? "hello from wasm\n" : "", sink.Text);
    }

    [Fact]
    public void ProcExitTrapsWithTheCode()
    {
        using var i = Instance(TestExperts.Echo());
        var e = Assert.Throws<WasmTrapException>(() => Call(i, "exit"));
        Assert.Equal(TrapKind.Exit, e.Kind);
        Assert.Equal(3, e.ExitCode);
    }

    [Fact]
    public void NonWasiImportIsALinkErrorNamingIt()
    {
        var wasm = TestExperts.Compile("(module (import \"env\" \"steal\" (func)) (memory (export \"memory\") 1))");
        var e = Assert.Throws<WasmLinkException>(() => Instance(wasm));
        Assert.Contains("env.steal", e.Message);
    }
}

/// <summary>The ABI tests on the compiler runtime (WebAssembly compiled to CIL).</summary>
public sealed class CompilerAbiTests : AbiTests
{
    private static readonly IWasmEngine CompilerEngine = new Polymath.Runtime.Compiler.CompilerRuntimePlugin().CreateEngine(new EngineOptions());

    /// <inheritdoc />
    protected override IWasmEngine Engine => CompilerEngine;
}
