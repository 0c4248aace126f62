using Polymath.Sdk;
using Polymath.Wasm;
using Xunit;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Experts.Tests;

/// <summary>The import matching every runtime plugin shares: what matches, and the message when it does not.</summary>
public sealed class WasmImportCheckTests
{
    private const string What = "import 0 \"env\".\"x\"";

    [Fact]
    public void LimitsMatchWhenWithinTheRequiredOnes()
    {
        WasmImportCheck.Memory(What, new MemoryType(new Limits(1, 4)), 2, 3);
        WasmImportCheck.Table(What, new TableType(ValueType.FuncRef, new Limits(1, null)), ValueType.FuncRef, 5, null);
        WasmImportCheck.Global(What, new GlobalType(ValueType.I32, true), new GlobalType(ValueType.I32, true));
    }

    [Fact]
    public void MismatchesNameTheImportAndBothTypes()
    {
        var e = Assert.Throws<WasmLinkException>(() => WasmImportCheck.Memory(What, new MemoryType(new Limits(1, 4)), 2, null));
        Assert.Equal("incompatible import type: import 0 \"env\".\"x\" expects memory 1..4, got 2..", e.Message);
        e = Assert.Throws<WasmLinkException>(() => WasmImportCheck.Table(What, new TableType(ValueType.FuncRef, new Limits(1, null)), ValueType.ExternRef, 1, null));
        Assert.Equal("incompatible import type: import 0 \"env\".\"x\" expects table funcref 1.., got externref 1..", e.Message);
        e = Assert.Throws<WasmLinkException>(() => WasmImportCheck.Global(What, new GlobalType(ValueType.I32, true), new GlobalType(ValueType.I32, false)));
        Assert.Equal("incompatible import type: import 0 \"env\".\"x\" expects global mut i32, got i32", e.Message);
        e = Assert.Throws<WasmLinkException>(() => WasmImportCheck.Kind(What, ExternKind.Memory, null));
        Assert.Equal("incompatible import type: import 0 \"env\".\"x\" must be a memory, got nothing", e.Message);
        Assert.Equal("incompatible import type: import 0 \"env\".\"x\": the table belongs to another store or runtime", WasmImportCheck.Foreign(What, ExternKind.Table).Message);
    }
}
