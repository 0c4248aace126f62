namespace Polymath.Conformance.Tests;

public sealed class WastScriptTests
{
    private const string Sample = """
        {"source_filename": "x.wast",
         "commands": [
          {"type": "module", "line": 1, "name": "$M1", "filename": "x.0.wasm"},
          {"type": "register", "line": 5, "name": "$M1", "as": "M"},
          {"type": "assert_return", "line": 7, "action": {"type": "invoke", "module": "$M1", "field": "f", "args": [{"type": "i32", "value": "4294967295"}, {"type": "externref", "value": "null"}]}, "expected": [{"type": "f32", "value": "nan:arithmetic"}]},
          {"type": "assert_return", "line": 8, "action": {"type": "get", "field": "g"}, "expected": [{"type": "i64", "value": "1"}]},
          {"type": "assert_trap", "line": 9, "action": {"type": "invoke", "field": "t", "args": []}, "text": "uninitialized element 2", "expected": [{"type": "i32"}]},
          {"type": "assert_exhaustion", "line": 10, "action": {"type": "invoke", "field": "r", "args": []}, "text": "call stack exhausted", "expected": []},
          {"type": "assert_malformed", "line": 11, "filename": "x.1.wat", "text": "unknown operator", "module_type": "text"},
          {"type": "assert_invalid", "line": 12, "filename": "x.2.wasm", "text": "type mismatch", "module_type": "binary"},
          {"type": "assert_unlinkable", "line": 13, "filename": "x.3.wasm", "text": "unknown import", "module_type": "binary"},
          {"type": "assert_uninstantiable", "line": 14, "filename": "x.4.wasm", "text": "unreachable", "module_type": "binary"},
          {"type": "action", "line": 15, "action": {"type": "invoke", "field": "a", "args": []}, "expected": []},
          {"type": "assert_return", "line": 16, "action": {"type": "invoke", "field": "v", "args": []}, "expected": [{"type": "v128", "lane_type": "i32", "value": ["0", "0", "0", "0"]}]},
          {"type": "assert_frobnicate", "line": 17},
          {"type": "assert_return", "line": 18, "action": {"type": "invoke", "field": "f", "args": [{"type": "i32", "value": "12x"}]}, "expected": []}
         ]}
        """;

    [Fact]
    public void Every_command_type_parses()
    {
        var script = WastScript.Parse(Sample, "x.wast", "/cache/x");
        Assert.Equal("x.wast", script.Name);
        Assert.Equal("/cache/x", script.Directory);
        var c = script.Commands;
        Assert.Equal(14, c.Count);

        Assert.Equal(WastCommandKind.Module, c[0].Kind);
        Assert.Equal("$M1", c[0].Name);
        Assert.Equal("x.0.wasm", c[0].FileName);

        Assert.Equal(WastCommandKind.Register, c[1].Kind);
        Assert.Equal(("$M1", "M"), (c[1].Name, c[1].As));

        var invoke = c[2].Action!;
        Assert.Equal(WastActionKind.Invoke, invoke.Kind);
        Assert.Equal("$M1", invoke.Module);
        Assert.Equal("f", invoke.Field);
        Assert.Equal([WastValue.Parse("i32", "4294967295"), WastValue.Parse("externref", "null")], invoke.Arguments);
        Assert.Equal(WastValueKind.ArithmeticNan, Assert.Single(c[2].Expected).Kind);

        Assert.Equal(WastActionKind.Get, c[3].Action!.Kind);
        Assert.Null(c[3].Action!.Module);

        Assert.Equal(WastCommandKind.AssertTrap, c[4].Kind);
        Assert.Equal("uninitialized element 2", c[4].Text);
        Assert.Equal(WastValueKind.TypeOnly, Assert.Single(c[4].Expected).Kind);
        Assert.Equal(WastCommandKind.AssertExhaustion, c[5].Kind);
        Assert.Equal((WastCommandKind.AssertMalformed, "text"), (c[6].Kind, c[6].ModuleType));
        Assert.Equal((WastCommandKind.AssertInvalid, "binary", "type mismatch"), (c[7].Kind, c[7].ModuleType, c[7].Text));
        Assert.Equal(WastCommandKind.AssertUnlinkable, c[8].Kind);
        Assert.Equal(WastCommandKind.AssertUninstantiable, c[9].Kind);
        Assert.Equal(WastCommandKind.Action, c[10].Kind);
        Assert.All(c.Take(11), command => Assert.Null(command.ParseError));
    }

    [Fact]
    public void Bad_commands_keep_their_error_and_do_not_stop_the_script()
    {
        var c = WastScript.Parse(Sample, "x.wast").Commands;
        // v128 lane lists parse (the SIMD files run on runtimes with wasm.simd128).
        Assert.Null(c[11].ParseError);
        Assert.Equal(16, c[11].Line);
        Assert.Equal(Polymath.Wasm.ValueType.V128, Assert.Single(c[11].Expected).Type);
        Assert.Equal(WastCommandKind.Unknown, c[12].Kind);
        Assert.Contains("assert_frobnicate", c[12].ParseError, StringComparison.Ordinal);
        Assert.Contains("12x", c[13].ParseError, StringComparison.Ordinal);
        Assert.Contains("args", c[13].ParseError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"commands\": 3}")]
    [InlineData("{\"commands\": [{\"line\": 1}]}")]
    [InlineData("{\"commands\": [{\"type\": \"module\"}]}")]
    public void Structural_errors_name_the_script(string json)
    {
        var e = Assert.Throws<FormatException>(() => WastScript.Parse(json, "broken.wast"));
        Assert.StartsWith("broken.wast", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_fields_are_command_errors()
    {
        var c = WastScript.Parse("""
            {"commands": [
              {"type": "module", "line": 1},
              {"type": "register", "line": 2},
              {"type": "assert_return", "line": 3, "expected": []},
              {"type": "assert_return", "line": 4, "action": {"type": "call", "field": "f"}}
            ]}
            """, "m.wast").Commands;
        Assert.Contains("filename", c[0].ParseError, StringComparison.Ordinal);
        Assert.Contains("as", c[1].ParseError, StringComparison.Ordinal);
        Assert.Contains("action", c[2].ParseError, StringComparison.Ordinal);
        Assert.Contains("call", c[3].ParseError, StringComparison.Ordinal);
    }
}
