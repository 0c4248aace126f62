using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;

namespace Polymath.Host.Tests;

/// <summary>
/// The composition root every command shares (host/Polymath.Cli/Configuration/CliComposition.cs), through the built
/// <c>polymath</c>: serve reads appsettings.json from its folder; an unknown key of a known section is an error naming
/// it, where it was set and the nearest known key; the older environment names still work; and each layer wins over
/// the one below it (command line &gt; environment &gt; appsettings.json &gt; defaults).
/// </summary>
public class ConfigurationLayersTests
{
    private static readonly string ExpertsDirectory = Path.Combine(Repository.Root, "experts");

    private static string Folder(object? settings)
    {
        string dir = Fixtures.TempDirectory();
        if (settings is not null) File.WriteAllText(Path.Combine(dir, "appsettings.json"), JsonSerializer.Serialize(settings));
        return dir;
    }

    private static string Rid(CliProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.GetProperty("platform").GetProperty("rid").GetString()!;
    }

    private static void AssertUnknownKey(CliProcess.Result r, string key, string nearest, string where)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"unknown configuration key '{key}'", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(where, r.Stderr, StringComparison.Ordinal);
        Assert.Contains($"did you mean '{nearest}'?", r.Stderr, StringComparison.Ordinal);
        // Refused before anything is loaded (no plugin probe, no expert load): within a second of what starting the
        // process costs on this machine right now (polymath --help, measured just after, doubled: the test machine is
        // shared and xunit runs other CLI tests beside this one).
        var startup = CliProcess.Run("--help").Elapsed;
        Assert.True(r.Elapsed < 2 * startup + TimeSpan.FromSeconds(1), $"took {r.Elapsed.TotalMilliseconds:F0} ms; starting polymath --help took {startup.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task ServeListensOnTheSocketItsFoldersAppsettingsNames()
    {
        string dir = Folder(null);
        string socket = Path.Combine(dir, "from-settings.sock");
        File.WriteAllText(Path.Combine(dir, "appsettings.json"), JsonSerializer.Serialize(new { Service = new { SocketPath = socket }, Experts = new { Directory = ExpertsDirectory } }));
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cli", "polymath.dll"));
        start.ArgumentList.Add("serve");
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("POLYMATH_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        start.Environment["POLYMATH_CODE_CACHE"] = "off";
        using var process = Process.Start(start)!;
        var output = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Assert.False(process.HasExited, $"serve exited {(process.HasExited ? process.ExitCode : 0)}: {(process.HasExited ? await output : "")}");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "serve did not listen on the appsettings.json socket within 60 s");
                if (File.Exists(socket))
                {
                    using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try { await client.ConnectAsync(new UnixDomainSocketEndPoint(socket)); break; }
                    catch (SocketException) { }
                }
                await Task.Delay(100);
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public void UnknownKeyInAppsettingsIsAnErrorNamingItAndTheNearest()
    {
        string dir = Folder(new { Experts = new { Directroy = ExpertsDirectory } });
        string file = Path.Combine(dir, "appsettings.json");
        AssertUnknownKey(CliProcess.Run(["call", "gcd", """{"a":12,"b":18}"""], dir, null), "Experts:Directroy", "Experts:Directory", file);
        AssertUnknownKey(CliProcess.Run(["serve", "--socket", Path.Combine(dir, "s.sock")], dir, null), "Experts:Directroy", "Experts:Directory", file);
        // A nested section is checked to its leaves.
        dir = Folder(new { Experts = new { Limits = new { TimeoutMS2 = 5 } } });
        AssertUnknownKey(CliProcess.Run(["probe"], dir, null), "Experts:Limits:TimeoutMS2", "Experts:Limits:TimeoutMs", "appsettings.json");
    }

    [Fact]
    public void UnknownVariableOfAKnownSectionIsAnErrorNamingItAndTheNearest()
    {
        string dir = Folder(null);
        AssertUnknownKey(CliProcess.Run(["experts"], dir, new Dictionary<string, string> { ["POLYMATH_Experts__Directroy"] = ExpertsDirectory }),
            "Experts:Directroy", "Experts:Directory", "POLYMATH_Experts__Directroy");
        AssertUnknownKey(CliProcess.Run(["serve"], dir, new Dictionary<string, string> { ["POLYMATH_Service__SokcetPath"] = Path.Combine(dir, "s.sock") }),
            "Service:SokcetPath", "Service:SocketPath", "POLYMATH_Service__SokcetPath");
        // A POLYMATH_ variable outside the known sections is not the host's (the spec runner's POLYMATH_WASM_TESTSUITE).
        var other = CliProcess.Run(["probe"], dir, new Dictionary<string, string> { ["POLYMATH_WASM_TESTSUITE"] = dir });
        Assert.True(other.ExitCode == 0, other.Stderr);
    }

    [Fact]
    public void OldVariablePolymathPlatformStillWorks() =>
        Assert.Equal("linux-arm", Rid(CliProcess.Run(["probe", "--json"], Folder(null), new Dictionary<string, string> { ["POLYMATH_PLATFORM"] = "linux-arm" })));

    [Theory]
    [InlineData("1")]
    [InlineData("yes")]
    [InlineData("true")]
    public void OldVariablePolymathNoDynamicCodeStillWorks(string value)
    {
        var r = CliProcess.Run(["probe", "--json"], Folder(null), new Dictionary<string, string> { ["POLYMATH_NO_DYNAMIC_CODE"] = value });
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.False(doc.RootElement.GetProperty("platform").GetProperty("dynamicCode").GetBoolean());
    }

    [Fact]
    public void OldVariablePolymathPluginsStillWorks()
    {
        string missing = Path.Combine(Folder(null), "nowhere", "plugins.json");
        var r = CliProcess.Run(["probe"], Folder(null), new Dictionary<string, string> { ["POLYMATH_PLUGINS"] = missing });
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(missing, r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void OldVariablePolymathCodeCacheStillWorks()
    {
        string dir = Folder(null);
        string cache = Path.Combine(dir, "code-cache");
        File.WriteAllBytes(Path.Combine(dir, "seven.wasm"), global::Polymath.Tests.Wat.ToWasm("""(module (func (export "seven") (result i32) i32.const 7))"""));
        var r = CliProcess.Run(["run", "seven.wasm", "--invoke", "seven", "--runtime", "wasmtime"], dir, new Dictionary<string, string> { ["POLYMATH_CODE_CACHE"] = cache });
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("7", r.Stdout.Trim());
        Assert.True(Directory.Exists(cache) && Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).Any(), $"nothing was cached in {cache}");
    }

    [Fact]
    public void DefaultsWhenNothingIsSet() =>
        Assert.Equal(global::Polymath.Sdk.PlatformInfo.Current.RuntimeIdentifier, Rid(CliProcess.Run(["probe", "--json"], Folder(null), null)));

    [Fact]
    public void AppsettingsOverDefaults() =>
        Assert.Equal("linux-arm", Rid(CliProcess.Run(["probe", "--json"], Folder(new { Polymath = new { Platform = "linux-arm" } }), null)));

    [Fact]
    public void EnvironmentOverAppsettings()
    {
        string dir = Folder(new { Polymath = new { Platform = "linux-arm" } });
        Assert.Equal("linux-x86", Rid(CliProcess.Run(["probe", "--json"], dir, new Dictionary<string, string> { ["POLYMATH_Polymath__Platform"] = "linux-x86" })));
        // The section-style variable wins over the older single one.
        Assert.Equal("linux-x86", Rid(CliProcess.Run(["probe", "--json"], dir, new Dictionary<string, string> { ["POLYMATH_Polymath__Platform"] = "linux-x86", ["POLYMATH_PLATFORM"] = "linux-armv6" })));
    }

    [Fact]
    public void CommandLineOverEnvironment()
    {
        string dir = Folder(new { Polymath = new { Platform = "linux-arm" } });
        Assert.Equal("linux-arm64", Rid(CliProcess.Run(["probe", "--json", "--platform", "linux-arm64"], dir, new Dictionary<string, string> { ["POLYMATH_Polymath__Platform"] = "linux-x86" })));
    }

    [Fact]
    public void AnInvalidValueNamesTheLayerThatSetIt()
    {
        var r = CliProcess.Run(["probe"], Folder(new { Polymath = new { Platform = "amiga" } }), null);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("appsettings.json: Polymath:Platform: 'amiga'", r.Stderr, StringComparison.Ordinal);
    }
}
