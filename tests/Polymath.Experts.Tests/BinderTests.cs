using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>The binding decision on its own: runtimes described by their probe answers (engines are never created here).</summary>
public class BinderTests
{
    private static readonly PlatformInfo Arm = PlatformInfo.FromRuntimeIdentifier("linux-arm");
    private static readonly EffectiveLimits Limits = new(256, 1000, 1000, 1 << 20, 10_000);

    private static readonly string[] InterpreterCaps =
    [
        Capabilities.WasmCore, Capabilities.WasmSignExtension, Capabilities.WasmBulkMemory, Capabilities.ExecInterpreter,
        Capabilities.LimitsFuel, Capabilities.LimitsMemory, Capabilities.LimitsTimeout, Capabilities.LimitsCallDepth,
    ];

    private static RuntimeReport Runtime(string id, RuntimeTier tier, bool available, string[] caps, int priority = 0, int order = 0) => new()
    {
        Id = id,
        Descriptor = new RuntimeDescriptor(id, id == "wasmtime" ? "Wasmtime" : id == "interpreter" ? "interpreter" : id, "1.0", tier),
        Tier = tier,
        Status = available ? RuntimeStatus.Available : RuntimeStatus.Unavailable,
        Reason = available ? "ok" : "Cranelift has no 32-bit ARM backend",
        Capabilities = available ? caps : [],
        Priority = priority,
        Order = order,
        EngineFactory = available ? () => throw new InvalidOperationException("binder tests never create engines") : null,
    };

    private static BindingRequest Request(string[]? requires = null, string[]? prefers = null, string[]? features = null,
        WasiGrants asked = WasiGrants.None, WasiGrants granted = WasiGrants.None) =>
        new("demo", requires ?? [], prefers ?? [], features ?? [Capabilities.WasmCore], asked, granted, Limits);

    [Fact]
    public void BoundWhenEverythingIsMet()
    {
        var b = ExpertBinder.Bind(Request(prefers: [Capabilities.ExecInterpreter]), [Runtime("interpreter", RuntimeTier.Interpreter, true, InterpreterCaps)], Arm);
        Assert.Equal(ExpertStatus.Bound, b.Status);
        Assert.Equal("interpreter", b.RuntimeId);
        Assert.Empty(b.Lost);
    }

    [Fact]
    public void DegradedExplainsTheMissingPreferenceAndWhy()
    {
        var runtimes = new[]
        {
            Runtime("wasmtime", RuntimeTier.Jit, false, [], priority: 10),
            Runtime("interpreter", RuntimeTier.Interpreter, true, InterpreterCaps, order: 1),
        };
        var b = ExpertBinder.Bind(Request(prefers: [Capabilities.ExecJit]), runtimes, Arm);
        Assert.Equal(ExpertStatus.Degraded, b.Status);
        Assert.Equal("interpreter", b.RuntimeId);
        var lost = Assert.Single(b.Lost);
        Assert.Contains("prefers exec.jit", lost);
        Assert.Contains("Wasmtime unavailable on linux-arm", lost);
        Assert.Contains("Cranelift has no 32-bit ARM backend", lost);
        Assert.Contains("running on interpreter", lost);
    }

    [Fact]
    public void UnavailableWhenARequirementIsUnmetSaysWhatWouldFixIt()
    {
        var b = ExpertBinder.Bind(Request(features: [Capabilities.WasmCore, Capabilities.WasmSimd128]),
            [Runtime("interpreter", RuntimeTier.Interpreter, true, InterpreterCaps)], Arm);
        Assert.Equal(ExpertStatus.Unavailable, b.Status);
        Assert.Null(b.Runtime);
        Assert.Contains("interpreter lacks wasm.simd128", b.Reason);
        Assert.Contains("wasm.simd128", b.Fix);
    }

    [Fact]
    public void ManifestRequiresAreHonoured()
    {
        var b = ExpertBinder.Bind(Request(requires: [Capabilities.ExecJit]),
            [Runtime("wasmtime", RuntimeTier.Jit, false, []), Runtime("interpreter", RuntimeTier.Interpreter, true, InterpreterCaps, order: 1)], Arm);
        Assert.Equal(ExpertStatus.Unavailable, b.Status);
        Assert.Contains("wasmtime unavailable on linux-arm", b.Reason);
        Assert.Contains("interpreter lacks exec.jit", b.Reason);
    }

    [Fact]
    public void NoRuntimesAtAllIsExplained()
    {
        var b = ExpertBinder.Bind(Request(), [], Arm);
        Assert.Equal(ExpertStatus.Unavailable, b.Status);
        Assert.Contains("no runtime plugin is configured", b.Reason);
    }

    [Fact]
    public void PrefersRankBeforePriorityAndPriorityBeforeOrder()
    {
        var fast = Runtime("fast", RuntimeTier.Compiler, true, [.. InterpreterCaps, Capabilities.ExecCompiler], priority: 0, order: 0);
        var favoured = Runtime("favoured", RuntimeTier.Interpreter, true, InterpreterCaps, priority: 50, order: 1);
        var late = Runtime("late", RuntimeTier.Interpreter, true, InterpreterCaps, priority: 50, order: 2);
        Assert.Equal("fast", ExpertBinder.Bind(Request(prefers: [Capabilities.ExecCompiler]), [favoured, late, fast], Arm).RuntimeId);
        Assert.Equal("favoured", ExpertBinder.Bind(Request(), [late, fast, favoured], Arm).RuntimeId);
    }

    [Fact]
    public void UngrantedWasiAskIsDegradedAndRequiredWasiIsUnavailable()
    {
        var rt = new[] { Runtime("interpreter", RuntimeTier.Interpreter, true, InterpreterCaps) };
        var asked = ExpertBinder.Bind(Request(asked: WasiGrants.Clock | WasiGrants.Stdio, granted: WasiGrants.Stdio), rt, Arm);
        Assert.Equal(ExpertStatus.Degraded, asked.Status);
        Assert.Contains(asked.Lost, l => l.Contains("wasi.clock") && l.Contains("NOTCAPABLE"));
        Assert.DoesNotContain(asked.Lost, l => l.Contains("wasi.stdio"));

        var required = ExpertBinder.Bind(Request(requires: [Capabilities.WasiRandom]), rt, Arm);
        Assert.Equal(ExpertStatus.Unavailable, required.Status);
        Assert.Contains("Experts:Grants:demo", required.Fix);

        var granted = ExpertBinder.Bind(Request(requires: [Capabilities.WasiRandom], granted: WasiGrants.Random), rt, Arm);
        Assert.Equal(ExpertStatus.Bound, granted.Status);
    }

    [Fact]
    public void UnenforceableLimitsAreReportedAsLost()
    {
        var b = ExpertBinder.Bind(Request(), [Runtime("bare", RuntimeTier.Interpreter, true, [Capabilities.WasmCore])], Arm);
        Assert.Equal(ExpertStatus.Degraded, b.Status);
        Assert.Contains(b.Lost, l => l.Contains("limits.fuel"));
        Assert.Contains(b.Lost, l => l.Contains("limits.timeout"));
        Assert.Contains(b.Lost, l => l.Contains("limits.memory"));
    }
}
