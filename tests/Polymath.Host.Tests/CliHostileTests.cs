using System.Globalization;
using System.Text;
using System.Text.Json;
using Polymath.Tests;

namespace Polymath.Host.Tests;

/// <summary>
/// The CLI under hostile input (issue 10): packages whose ids, ops and results carry terminal escapes, spoofed
/// attribution or infinite numbers; modules that loop or exit with codes an exit status cannot carry; and command lines
/// full of garbage. Each runs the real CLI and checks the clear outcome and that a good neighbour still answers.
/// </summary>
public sealed class CliHostileTests : IDisposable
{
    private const string Esc = "\u001b";

    // Everything a test writes (packages, modules, FIFOs, sockets) lives here and is deleted after it.
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("polymath-cli-hostile-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    /// <summary>Fails when <paramref name="text"/> holds anything that can drive a terminal or forge a line: every
    /// control character but '\n', C1 controls, format characters (bidi overrides…), line/paragraph separators, lone surrogates.</summary>
    private static void AssertHumanSafe(string text, string what)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool bad = c < 0x20 && c != '\n'
                || c is >= '\u007F' and <= '\u009F'
                || char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            Assert.False(bad, $"{what} holds U+{(int)c:X4} at {i}: {text}");
        }
    }

    private static void AssertOneLineError(CliProcess.Result r, int exitCode, string expected)
    {
        Assert.True(r.ExitCode == exitCode, $"exit {r.ExitCode}, expected {exitCode}; stderr: {r.Stderr}");
        string err = r.Stderr.TrimEnd('\n');
        Assert.DoesNotContain('\n', err);
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", err, StringComparison.Ordinal);
        AssertHumanSafe(err, "stderr");
    }

    private static void AssertNeighbourAnswers(string directory, params string[] extra)
    {
        var r = CliProcess.Run(["call", "hello", "{}", "--dir", directory, "--json", .. extra]);
        Assert.True(r.ExitCode == 0, $"the good neighbour did not answer: {r.Stdout} {r.Stderr}");
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(42, doc.RootElement.GetProperty("value").GetInt32());
        Assert.Equal("good", doc.RootElement.GetProperty("expert_id").GetString());
    }

    [Fact]
    public void ExpertsListingEscapesIdsOpsAndVersionsButJsonKeepsThemExact()
    {
        // Raw C1 CSI (U+009B) and a bidi override (U+202E) are legal inside JSON strings; C0 controls come as escapes.
        string id = $"evil{Esc}[31m\r\nFAKE  tier 1  bound\u202e";
        string[] ops = [$"op{Esc}]0;pwned\u0007", "[red]x[/]", "\u009b31mcsi"];
        string metadata = JsonSerializer.Serialize(new
        {
            id, tier = 1, description = "d\u0007\u2028", version = "1.0\n2",
            ops = ops.Select(o => new { name = o, args = Array.Empty<string>() }),
        }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var dir = HostileExperts.Directory(_root, ("a_evil.wasm", HostileExperts.Build(metadata, """{"value":1}""")), ("good.wasm", HostileExperts.Good()));

        var human = CliProcess.Run("experts", "--dir", dir, "-v");
        AssertHumanSafe(human.Stdout, "experts stdout");
        AssertHumanSafe(human.Stderr, "experts stderr (log lines)");
        Assert.DoesNotContain(human.Stdout.Split('\n'), line => line.StartsWith("FAKE", StringComparison.Ordinal));
        Assert.Contains(human.Stdout.Split('\n'), line => line.StartsWith("good ", StringComparison.Ordinal) && line.Contains(" bound ", StringComparison.Ordinal));
        // Loaded, the id is escaped by the CLI; refused by the metadata reader (control characters in an id), the reason
        // quotes it escaped by the reader. Either way it is on one line that does not start with FAKE.
        Assert.True(human.Stdout.Contains("\\x1b[31m\\r\\nFAKE", StringComparison.Ordinal)
            || human.Stdout.Contains("\\u001B[31m\\u000D\\u000AFAKE", StringComparison.Ordinal), human.Stdout);

        var json = CliProcess.Run("experts", "--dir", dir, "--json");
        using var doc = JsonDocument.Parse(json.Stdout);
        var experts = doc.RootElement.GetProperty("experts").EnumerateArray().ToList();
        Assert.Contains(experts, e => e.GetProperty("id").GetString() == "good");
        // Loaded or refused by the metadata reader: either way --json carries the real strings, never escaped for humans.
        var evil = experts.Single(e => e.GetProperty("source").GetString()!.EndsWith("a_evil.wasm", StringComparison.Ordinal));
        if (evil.GetProperty("status").GetString() != "unavailable")
        {
            Assert.Equal(id, evil.GetProperty("id").GetString());
            Assert.Equal(ops, evil.GetProperty("ops").EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToArray());
        }
        AssertNeighbourAnswers(dir);
    }

    [Fact]
    public void CallIsAttributedByTheHostAndItsValueIsEscapedForHumans()
    {
        // The guest claims to be arithmetic/gcd and puts a screen clear, a bidi override and a C1 CSI in its value.
        string value = $"x{Esc}[2J\u202ey\u009bz";
        string result = "{\"value\":\"x\\u001b[2J\u202ey\u009bz\",\"confidence\":0.5,\"latency_ns\":0,\"expert_id\":\"arithmetic\",\"op\":\"gcd\"}";
        string metadata = """{"id":"liar","tier":1,"description":"spoofs","version":"1.0.0","ops":[{"name":"tell","args":[]}]}""";
        var dir = HostileExperts.Directory(_root, ("liar.wasm", HostileExperts.Build(metadata, result)), ("good.wasm", HostileExperts.Good()));

        var json = CliProcess.Run("call", "tell", "{}", "--dir", dir, "--json");
        Assert.True(json.ExitCode == 0, json.Stdout + json.Stderr);
        using (var doc = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal("liar", doc.RootElement.GetProperty("expert_id").GetString());
            Assert.Equal("tell", doc.RootElement.GetProperty("op").GetString());
            Assert.Equal(value, doc.RootElement.GetProperty("value").GetString());
        }

        var human = CliProcess.Run("call", "tell", "{}", "--dir", dir);
        Assert.True(human.ExitCode == 0, human.Stdout + human.Stderr);
        AssertHumanSafe(human.Stdout, "call stdout");
        Assert.Equal(1, human.Stdout.Count(c => c == '\n'));
        // Still valid JSON with the same meaning: the characters were written as \u escapes.
        using (var doc = JsonDocument.Parse(human.Stdout))
            Assert.Equal(value, doc.RootElement.GetString());
        AssertNeighbourAnswers(dir);
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("1e400")]
    [InlineData("-1e39")]
    public void CallJsonSurvivesAConfidenceAFloatCannotHold(string confidence)
    {
        string metadata = """{"id":"big","tier":1,"description":"overflows","version":"1.0.0","ops":[{"name":"huge_confidence","args":[]}]}""";
        string result = $$"""{"value":7,"confidence":{{confidence}},"latency_ns":0,"expert_id":"big","op":"huge_confidence"}""";
        var dir = HostileExperts.Directory(_root, ("big.wasm", HostileExperts.Build(metadata, result)), ("good.wasm", HostileExperts.Good()));

        var r = CliProcess.Run("call", "huge_confidence", "{}", "--dir", dir, "--json");
        Assert.DoesNotContain("Unhandled", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        // Either the reader refuses the number (a named error) or the writer writes the infinity as null.
        if (root.GetProperty("outcome").GetString() == "result")
        {
            Assert.Equal(0, r.ExitCode);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("confidence").ValueKind);
            Assert.Equal(7, root.GetProperty("value").GetInt32());
        }
        else
        {
            Assert.Equal(1, r.ExitCode);
            Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("reason").GetString()));
        }
        AssertNeighbourAnswers(dir);
    }

    [Fact]
    public void CallSurvivesALoneSurrogateInTheValue()
    {
        string metadata = """{"id":"halfpair","tier":1,"description":"lone surrogate","version":"1.0.0","ops":[{"name":"half","args":[]}]}""";
        var dir = HostileExperts.Directory(_root, ("halfpair.wasm", HostileExperts.Build(metadata, """{"value":"a\udfffb"}""")), ("good.wasm", HostileExperts.Good()));
        foreach (var json in new[] { true, false })
        {
            var r = CliProcess.Run(json ? ["call", "half", "{}", "--dir", dir, "--json"] : ["call", "half", "{}", "--dir", dir]);
            Assert.True(r.ExitCode is 0 or 1, r.Stdout + r.Stderr);
            Assert.DoesNotContain("error:", r.Stderr, StringComparison.Ordinal);
            AssertHumanSafe(r.Stderr, "call stderr");
            AssertHumanSafe(r.Stdout, "call stdout");
            // Either the reader refuses the string (a named error) or the writer writes U+FFFD for the lone surrogate.
            if (r.ExitCode == 0)
            {
                using var doc = JsonDocument.Parse(r.Stdout);
                Assert.Equal("a\uFFFDb", json ? doc.RootElement.GetProperty("value").GetString() : doc.RootElement.GetString());
            }
        }
        AssertNeighbourAnswers(dir);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(7, 7)]
    [InlineData(255, 255)]
    [InlineData(256, 1)]
    [InlineData(-1, 1)]
    public void RunExitsNonZeroForEveryNonZeroWasiExitCode(int wasiCode, int expected)
    {
        var wasm = WriteModule($$"""
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start") (call $proc_exit (i32.const {{wasiCode}}))))
            """);
        var r = CliProcess.Run("run", wasm);
        Assert.True(r.ExitCode == expected, $"proc_exit({wasiCode}): exit {r.ExitCode}, expected {expected}; {r.Stderr}");
        if (expected != wasiCode)
            Assert.Contains($"exited with code {unchecked((uint)wasiCode)}, which an exit status (0-255) cannot carry; exiting with 1", r.Stderr, StringComparison.Ordinal);
        else
            Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void RunHonoursTimeoutFuelAndMemoryLimits()
    {
        var wasm = WriteModule("""
            (module
              (memory (export "memory") 1)
              (func (export "spin") (loop (br 0)))
              (func (export "grow") (result i32) (memory.grow (i32.const 1)))
              (func (export "_start") (loop (br 0))))
            """);
        // The first line says which limit; the wasm stack follows, one frame per line.
        var timeout = CliProcess.Run(["run", wasm, "--invoke", "spin", "--timeout", "300"], timeoutMs: 30_000);
        Assert.Equal(1, timeout.ExitCode);
        Assert.StartsWith("error: timeout: --timeout 300 ms exceeded\n", timeout.Stderr, StringComparison.Ordinal);
        Assert.True(timeout.Elapsed < TimeSpan.FromSeconds(20), $"took {timeout.Elapsed}");

        var command = CliProcess.Run(["run", wasm, "--timeout", "300"], timeoutMs: 30_000);
        Assert.Equal(1, command.ExitCode);
        Assert.StartsWith("error: timeout: --timeout 300 ms exceeded\n", command.Stderr, StringComparison.Ordinal);

        var fuel = CliProcess.Run(["run", wasm, "--invoke", "spin", "--fuel", "100000"], timeoutMs: 30_000);
        Assert.Equal(1, fuel.ExitCode);
        Assert.Contains("error: out of fuel: --fuel 100000 exhausted", fuel.Stderr, StringComparison.Ordinal);

        var capped = CliProcess.Run("run", wasm, "--invoke", "grow", "--max-memory-pages", "1");
        Assert.True(capped.ExitCode == 0, capped.Stderr);
        Assert.Equal("-1", capped.Stdout.Trim());
        var grown = CliProcess.Run("run", wasm, "--invoke", "grow", "--max-memory-pages", "2");
        Assert.True(grown.ExitCode == 0, grown.Stderr);
        Assert.Equal("1", grown.Stdout.Trim());

        var big = WriteModule("""(module (memory (export "memory") 3) (func (export "f")))""");
        var refused = CliProcess.Run("run", big, "--invoke", "f", "--max-memory-pages", "2");
        Assert.True(refused.ExitCode is 1 or 2, refused.Stderr);
        Assert.StartsWith("error: ", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryNumericOptionNamesItsRange()
    {
        var wasm = WriteModule("""(module (func (export "f")))""");
        var dir = HostileExperts.Directory(_root, ("good.wasm", HostileExperts.Good()));
        string[] bad = ["-5", "0", "99999999999999999999999", "ten", "1.5", ""];
        var cases = new List<(string[] Args, string Option, string Range)>();
        foreach (var v in bad)
        {
            cases.Add((["run", wasm, "--invoke", "f", "--fuel", v], "--fuel", "from 1 to 18446744073709551615"));
            cases.Add((["run", wasm, "--invoke", "f", "--max-memory-pages", v], "--max-memory-pages", "from 1 to 65536"));
            cases.Add((["run", wasm, "--invoke", "f", "--timeout", v], "--timeout", "from 1 to 2147483647"));
            if (v != "0") cases.Add((["serve", "--socket", "", "--tcp", v], "--tcp", "from 0 to 65535"));
            cases.Add((["call", "hello", "{}", "--dir", dir, "--limit", $"TimeoutMs={v}"], "TimeoutMs must be", "from 1 to 3600000"));
            cases.Add((["experts", "--dir", dir, "--limit", $"MemoryPages={v}"], "MemoryPages must be", "from 1 to 65536"));
            cases.Add((["experts", "--dir", dir, "--limit", $"FuelPerCall={v}"], "FuelPerCall must be", "from 1 to 18446744073709551615"));
            cases.Add((["experts", "--dir", dir, "--limit", $"MaxResultBytes={v}"], "MaxResultBytes must be", "from 2 to 268435456"));
            cases.Add((["experts", "--dir", dir, "--limit", $"MaxArgsBytes={v}"], "MaxArgsBytes must be", "from 2 to 268435456"));
            cases.Add((["experts", "--dir", dir, "--limit", $"MaxCallDepth={v}"], "MaxCallDepth must be", "from 1 to 1000000"));
        }
        // Just past the top of the narrower ranges.
        cases.Add((["serve", "--socket", "", "--tcp", "65536"], "--tcp", "from 0 to 65535"));
        cases.Add((["run", wasm, "--invoke", "f", "--max-memory-pages", "65537"], "--max-memory-pages", "from 1 to 65536"));
        cases.Add((["experts", "--dir", dir, "--limit", "MemoryPages=65537"], "MemoryPages must be", "from 1 to 65536"));
        cases.Add((["run", wasm, "--invoke", "f", "--timeout", "2147483648"], "--timeout", "from 1 to 2147483647"));
        cases.Add((["call", "hello", "{}", "--dir", dir, "--limit", "TimeoutMs=3600001"], "TimeoutMs must be", "from 1 to 3600000"));
        foreach (var (args, option, range) in cases)
        {
            var r = CliProcess.Run(args);
            string what = string.Join(' ', args);
            Assert.True(r.ExitCode == 2, $"{what}: exit {r.ExitCode}; {r.Stderr}");
            Assert.Contains(option, r.Stderr, StringComparison.Ordinal);
            Assert.Contains(range, r.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("System.", r.Stderr, StringComparison.Ordinal);
            Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        }
    }

    [Fact]
    public void FailedPackagesShowNoTier()
    {
        var dir = HostileExperts.Directory(_root, ("broken.wasm", [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0xff]), ("good.wasm", HostileExperts.Good()));
        var human = CliProcess.Run("experts", "--dir", dir);
        Assert.Equal(1, human.ExitCode);
        var broken = human.Stdout.Split('\n').Single(l => l.StartsWith("broken", StringComparison.Ordinal));
        Assert.Contains(" tier -  ", broken, StringComparison.Ordinal);
        Assert.DoesNotContain("255", broken, StringComparison.Ordinal);

        var json = CliProcess.Run("experts", "--dir", dir, "--json");
        using var doc = JsonDocument.Parse(json.Stdout);
        var experts = doc.RootElement.GetProperty("experts").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Null, experts.Single(e => e.GetProperty("id").GetString() == "broken").GetProperty("tier").ValueKind);
        Assert.Equal(1, experts.Single(e => e.GetProperty("id").GetString() == "good").GetProperty("tier").GetInt32());
        AssertNeighbourAnswers(dir);
    }

    [Fact]
    public void ModulesWhoseMetadataOrInitializeLoopsDoNotHangACommand()
    {
        string metadata = """{"id":"spinner","tier":1,"description":"loops","version":"1.0.0","ops":[{"name":"never","args":[]}]}""";
        var dir = HostileExperts.Directory(_root, 
            ("loop_metadata.wasm", HostileExperts.Build(metadata, """{"value":1}""", metadataBody: "(loop (br 0)) (i32.const 0)")),
            ("loop_initialize.wasm", HostileExperts.Build(metadata.Replace("spinner", "spinner2", StringComparison.Ordinal), """{"value":1}""", initializeBody: "(loop (br 0))")),
            ("good.wasm", HostileExperts.Good()));

        // Each load is bounded by the expert's timeout (500 ms here): the command ends long before the test's deadline.
        var r = CliProcess.Run(["experts", "--dir", dir, "--limit", "TimeoutMs=500"], timeoutMs: 45_000);
        Assert.True(r.ExitCode == 1, r.Stdout + r.Stderr);
        AssertHumanSafe(r.Stdout, "experts stdout");
        var lines = r.Stdout.Split('\n');
        foreach (var name in new[] { "loop_metadata", "loop_initialize" })
        {
            int at = Array.FindIndex(lines, l => l.StartsWith(name, StringComparison.Ordinal));
            Assert.True(at >= 0, r.Stdout);
            Assert.Contains(" unavailable ", lines[at], StringComparison.Ordinal);
            Assert.Contains("metadata", lines[at + 1], StringComparison.Ordinal);
        }
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(40), $"took {r.Elapsed}");
        AssertNeighbourAnswers(dir, "--limit", "TimeoutMs=500");
    }

    [Fact]
    public void GarbageCommandLinesGetOneLineAndAnExitCode()
    {
        var dir = HostileExperts.Directory(_root, ("good.wasm", HostileExperts.Good()));
        string scratch = HostileExperts.NewDirectory(_root, "garbage-");
        string fifo = Path.Combine(scratch, "args.fifo");
        var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]);
        mkfifo.WaitForExit();
        Assert.True(mkfifo.ExitCode == 0, "mkfifo failed");
        string huge = Path.Combine(scratch, "huge.json");
        using (var f = File.Create(huge)) f.SetLength(17 << 20);
        string file = Path.Combine(scratch, "plain.txt");
        File.WriteAllText(file, "not a directory");
        string wasm = WriteModule("""(module (func (export "f")))""");

        var cases = new (string[] Args, byte[]? Stdin, int Exit, string Expected)[]
        {
            (["run"], null, 2, "Required argument missing"),
            (["call"], null, 2, "Required argument missing"),
            (["inspect"], null, 2, "Required argument missing"),
            (["frobnicate"], null, 2, "frobnicate"),
            (["probe", "--bogus"], null, 2, "--bogus"),
            (["experts", "--dir", dir, "--bogus"], null, 2, "--bogus"),
            (["call", "hello", "--bogus", "--dir", dir], null, 2, "unknown option '--bogus'"),
            (["call", "hello", "@" + Path.Combine(scratch, "missing.json"), "--dir", dir], null, 2, "cannot read the args file"),
            (["call", "hello", "@" + fifo, "--dir", dir], null, 2, "is not a regular file"),
            (["call", "hello", "@" + scratch, "--dir", dir], null, 2, "is a directory"),
            (["call", "hello", "@" + huge, "--dir", dir], null, 2, "larger than the 16 MiB"),
            (["call", "hello", "-", "--dir", dir], [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'], 2, "standard input (args) is not valid UTF-8"),
            (["call", "hello", "{}", "--dir", file], null, 2, "not a directory"),
            (["experts", "--dir", file], null, 2, "not a directory"),
            (["call", "hello", "{}", "--server", Path.Combine(scratch, "none.sock"), "--token-file", Path.Combine(scratch, "missing.token")], null, 2, "cannot read the token file"),
            (["status", "--server", Path.Combine(scratch, "none.sock"), "--token-file", fifo], null, 2, "is not a regular file"),
            (["run", scratch], null, 2, "is a directory"),
            (["run", fifo], null, 2, "is not a regular file"),
            (["run", file], null, 2, "magic"),
            (["run", wasm, "--invoke", "nope"], null, 2, "no exported function 'nope'"),
            (["inspect", fifo, "--ir"], null, 2, "is not a regular file"),
            (["probe", "--plugins", fifo], null, 2, "--plugins " + fifo + " is not a regular file"),
            (["probe", "--plugins", scratch], null, 2, "is a directory"),
            (["serve", "--config", fifo], null, 2, "the configuration file " + fifo + " is not a regular file"),
            (["serve", "--config", scratch], null, 2, "is a directory"),
        };
        foreach (var (args, stdin, exit, expected) in cases)
        {
            var r = CliProcess.Run(args, stdin, timeoutMs: 30_000);
            try { AssertOneLineError(r, exit, expected); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"polymath {string.Join(' ', args)}: {e.Message}"); }
        }
        AssertNeighbourAnswers(dir);
    }

    [Fact]
    public void InspectEscapesFunctionNamesThatWouldForgeListingLines()
    {
        // An export name with a line break, a fake listing line and an SGR escape.
        var wasm = WriteModule("""(module (func (export "f\0afunc 9 FAKE\1b[31m") (param i32) (result i32) (local.get 0)))""");
        var r = CliProcess.Run("inspect", wasm, "--ir");
        Assert.True(r.ExitCode == 0, r.Stderr);
        AssertHumanSafe(r.Stdout, "inspect stdout");
        Assert.DoesNotContain(r.Stdout.Split('\n'), line => line.StartsWith("func 9", StringComparison.Ordinal));
        Assert.Contains("f\\nfunc 9 FAKE\\x1b[31m", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusEscapesOpNamesForTheTerminalAndForSpectreMarkup()
    {
        // Control characters in op names are refused by the metadata reader; a bidi override (a format character) is not.
        string[] ops = ["[red]x[/]", "[/]", "op\u202e[31m"];
        string metadata = JsonSerializer.Serialize(new
        {
            id = "marked", tier = 1, description = "markup", version = "1.0.0",
            ops = ops.Select(o => new { name = o, args = Array.Empty<string>() }),
        });
        var dir = HostileExperts.Directory(_root, ("marked.wasm", HostileExperts.Build(metadata, """{"value":1}""")), ("good.wasm", HostileExperts.Good()));
        string socket = Path.Combine(HostileExperts.NewDirectory(_root, "status-"), "s.sock");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "cli", "polymath.dll"), "serve", "--socket", socket, $"--Experts:Directory={dir}" })
            start.ArgumentList.Add(a);
        start.Environment["POLYMATH_CODE_CACHE"] = "off";
        using var serve = System.Diagnostics.Process.Start(start)!;
        var serveOutput = serve.StandardError.ReadToEndAsync();
        _ = serve.StandardOutput.ReadToEndAsync();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(socket))
            {
                Assert.False(serve.HasExited, "polymath serve exited early");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "polymath serve did not create its socket within 60 s");
                await Task.Delay(100);
            }
            foreach (var op in ops)
            {
                var call = CliProcess.Run("call", op, "{}", "--server", socket, "--json");
                Assert.True(call.ExitCode == 0, $"{op}: {call.Stdout} {call.Stderr}");
            }
            var status = CliProcess.Run("status", "--server", socket);
            Assert.True(status.ExitCode == 0, status.Stdout + status.Stderr);
            AssertHumanSafe(status.Stdout, "status stdout");
            Assert.Contains("[red]x[/]", status.Stdout, StringComparison.Ordinal);
            Assert.Contains("[/]", status.Stdout, StringComparison.Ordinal);
            Assert.Contains("op\\u{202E}[31m", status.Stdout, StringComparison.Ordinal);
            AssertNeighbourAnswers(dir);
        }
        finally
        {
            if (!serve.HasExited) serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
            _ = await serveOutput;
        }
    }

    private string WriteModule(string wat)
    {
        string path = Path.Combine(HostileExperts.NewDirectory(_root, "module-"), "m.wasm");
        File.WriteAllBytes(path, Wat.ToWasm(wat));
        return path;
    }
}
