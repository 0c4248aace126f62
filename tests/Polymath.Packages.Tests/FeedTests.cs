using System.Text.Json;
using System.Text.RegularExpressions;

namespace Polymath.Packages.Tests;

/// <summary>
/// Proof from outside (docs/packages.md): everything below restores Polymath.* from artifacts/packages only, in a
/// folder outside the repository with a private package cache, and builds, installs and runs as a third party would.
/// </summary>
public sealed partial class FeedTests(OutsideFeed feed) : IClassFixture<OutsideFeed>
{
    [Fact]
    public void EmbeddingAppOnHostAndInterpreterPackagesCallsGcd()
    {
        string app = feed.NewFolder("embedding-app");
        File.WriteAllText(Path.Combine(app, "EmbeddingApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Polymath.Host" Version="{Repo.Version}" />
                <PackageReference Include="Polymath.Runtime.Interpreter" Version="{Repo.Version}" />
                <PackageReference Include="Microsoft.Extensions.Configuration" Version="{Repo.PackageVersion("Microsoft.Extensions.Configuration")}" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="{Repo.PackageVersion("Microsoft.Extensions.DependencyInjection")}" />
              </ItemGroup>
              <ItemGroup>
                <None Include="plugins.json" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "plugins.json"), """
            {"schemaVersion": 1, "plugins": [
              {"id": "interpreter", "assembly": "Polymath.Runtime.Interpreter.dll", "priority": 10, "tier": "interpreter"}]}
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """"
            using Microsoft.Extensions.Configuration;
            using Microsoft.Extensions.DependencyInjection;
            using Polymath.Host;
            using Polymath.Host.Experts;

            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
            services.AddPolymath(o => o.PluginsFile = Path.Combine(AppContext.BaseDirectory, "plugins.json"));
            services.AddExperts(o => { o.Directory = args[0]; o.Watch = false; });
            await using var provider = services.BuildServiceProvider();
            var host = provider.GetRequiredService<ExpertHost>();
            await host.StartAsync(CancellationToken.None);
            var result = await host.CallAsync("gcd", """{"a":12,"b":18}""");
            Console.WriteLine($"gcd {result.OutcomeName} {result.Result?.Value.GetRawText()} on {result.RuntimeId}");
            await host.StopAsync(CancellationToken.None);
            return result.IsResult ? 0 : 1;
            """");
        string output = feed.Dotnet(app, "run", "-c", "Release", "--", feed.Experts);
        Assert.Contains("gcd result 6 on interpreter", output, StringComparison.Ordinal);
        AssertRestoredFromFeed("polymath.host", "polymath.runtime.interpreter", "polymath.sdk");
    }

    [Fact]
    public void ToolInstalledFromFeedCallsGcd()
    {
        string output = feed.Tool("call", "gcd", """{"a":12,"b":18}""", "--dir", feed.Experts, "--json");
        using var json = JsonDocument.Parse(output);
        Assert.Equal("result", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(6, json.RootElement.GetProperty("value").GetInt32());
        // The RID-specific (ReadyToRun) package was chosen for this machine, not the portable fallback.
        string store = Path.Combine(feed.Root, "tools", ".store", "polymath.cli", Repo.Version);
        Assert.True(Directory.Exists(Path.Combine(store, $"polymath.cli.{System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}")) || !OperatingSystem.IsLinux(),
            $"the linux RID package is not under {store}: {string.Join(", ", Directory.GetDirectories(store).Select(Path.GetFileName))}");
    }

    [Fact]
    public void ToolPackagePrecompilesItsPluginsAndKeepsTheHostsOwnAssembliesPrecompiled()
    {
        feed.Tool("probe", "--json"); // installs the tool from the feed
        string store = Path.Combine(feed.Root, "tools", ".store", "polymath.cli", Repo.Version);
        var plugins = Directory.GetFiles(store, "Polymath.Runtime.*.dll", SearchOption.AllDirectories)
            .Where(path => path.Contains($"{Path.DirectorySeparatorChar}plugins{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains(".any", StringComparison.Ordinal))
            .ToArray();
        Assert.True(plugins.Length >= 4, $"fewer than 4 plugin assemblies under {store}: {string.Join(", ", plugins)}");
        // Each plugin's own assembly carries ReadyToRun code (the host maps it into a non-collectible context), and the
        // host's own copies of the shared contracts stayed precompiled (a plugin's copy of one name must not displace them).
        foreach (string path in plugins)
            Assert.True(IsReadyToRun(path), $"{path} has no ReadyToRun code");
        string hostDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(plugins[0])))!;
        foreach (string name in new[] { "polymath.dll", "Polymath.Host.dll", "Polymath.Sdk.dll", "Polymath.Wasm.dll" })
            Assert.True(IsReadyToRun(Path.Combine(hostDirectory, name)), $"{Path.Combine(hostDirectory, name)} has no ReadyToRun code");
    }

    private static bool IsReadyToRun(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
        return reader.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    [Fact]
    public void PluginTemplateBuildsOnSdkPackageAndLoadsThroughPluginsJson()
    {
        string plugin = ScaffoldPlugin();
        File.WriteAllText(Path.Combine(feed.Root, "acme-plugins.json"), """
            {"schemaVersion": 1, "plugins": [
              {"id": "acme", "assembly": "acme-plugin/AcmeRuntime/bin/Release/net10.0/AcmeRuntime.dll", "priority": 40, "tier": "interpreter"}]}
            """);
        string probe = feed.Tool("probe", "--plugins", Path.Combine(feed.Root, "acme-plugins.json"), "--json");
        Assert.Contains("\"acme\"", probe, StringComparison.Ordinal);
        string output = feed.Tool("call", "gcd", """{"a":12,"b":18}""", "--dir", feed.Experts, "--plugins", Path.Combine(feed.Root, "acme-plugins.json"), "--json");
        using var json = JsonDocument.Parse(output);
        Assert.Equal(6, json.RootElement.GetProperty("value").GetInt32());
        Assert.Equal("acme", json.RootElement.GetProperty("runtime").GetString());
        Assert.True(Directory.Exists(plugin));
    }

    [Fact]
    public void PluginTemplatePassesTheConformanceHarnessPackage()
    {
        string plugin = ScaffoldPlugin();
        string wast2json = Repo.RequireTool("wast2json", "apt-get install wabt");
        string suite = System.Environment.GetEnvironmentVariable("POLYMATH_WASM_TESTSUITE") is { Length: > 0 } s ? s : Path.Combine(Repo.Root, "..", "shared", "wasm-testsuite");
        Assert.True(File.Exists(Path.Combine(suite, "i32.wast")), $"the WebAssembly testsuite is not at {suite} (set POLYMATH_WASM_TESTSUITE)");
        var environment = new Dictionary<string, string?>(feed.Environment) { ["POLYMATH_WASM_TESTSUITE"] = Path.GetFullPath(suite), ["POLYMATH_WAST2JSON"] = wast2json };
        string output = Repo.Run("dotnet", plugin, environment, "test", "AcmeRuntime.Tests", "-c", "Release",
            "--filter", "DisplayName~i32.wast|DisplayName~call_indirect.wast|DisplayName~memory_grow.wast");
        var summary = TestSummary().Match(output);
        Assert.True(summary.Success, output);
        Assert.Equal("0", summary.Groups["failed"].Value);
        Assert.True(int.Parse(summary.Groups["passed"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 3, output);
    }

    [Fact]
    public void CExpertTemplateScaffoldsBuildsPacksAndAnswers()
    {
        Repo.RequireTool("clang", "apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32");
        Repo.RequireTool("wasm-opt", "apt-get install binaryen");
        feed.EnsureTemplates();
        string dir = Path.Combine(feed.NewFolder("c-expert"), "cscale");
        feed.Dotnet(null, "new", "polymath-expert-c", "-n", "cscale", "-o", dir);
        Repo.Run("bash", dir, feed.Environment, "build.sh");
        AssertPackedPackageAnswers(dir, "cscale", "cscale_scale");
    }

    [Fact]
    public void RustExpertTemplateBuildsWithDebianRustPacksAndAnswers()
    {
        // Debian's toolchain explicitly (apt-get install rustc cargo libstd-rust-dev-wasm32), not a rustup one on PATH.
        string cargo = Repo.RequireTool("/usr/bin/cargo", "apt-get install rustc cargo libstd-rust-dev-wasm32");
        string rustc = Repo.RequireTool("/usr/bin/rustc", "apt-get install rustc cargo libstd-rust-dev-wasm32");
        Assert.True(Directory.Exists("/usr/lib/rustlib/wasm32-unknown-unknown"), "Rust's wasm32-unknown-unknown std is not installed (apt-get install libstd-rust-dev-wasm32)");
        feed.EnsureTemplates();
        string dir = Path.Combine(feed.NewFolder("rust-expert"), "rscale");
        feed.Dotnet(null, "new", "polymath-expert-rust", "-n", "rscale", "-o", dir);
        var environment = new Dictionary<string, string?>(feed.Environment)
        {
            ["CARGO"] = cargo, ["RUSTC"] = rustc, ["CARGO_HOME"] = Path.Combine(feed.Root, ".cargo-home"), ["RUSTUP_TOOLCHAIN"] = null,
        };
        Repo.Run("bash", dir, environment, "build.sh");
        AssertPackedPackageAnswers(dir, "rscale", "rscale_scale");
        Assert.Contains("rustc 1.63", Repo.Run(rustc, dir, environment, "--version"), StringComparison.Ordinal);
    }

    /// <summary><c>polymath pack</c> the folder into a fresh experts directory; the op answers 7.5 and declines a bad arg.</summary>
    private void AssertPackedPackageAnswers(string packageDir, string id, string op)
    {
        string experts = feed.NewFolder($"{id}-packed");
        feed.Tool("pack", packageDir);
        string packed = Path.Combine(feed.Root, $"{id}.expert");
        Assert.True(File.Exists(packed), $"polymath pack did not write {packed}");
        File.Move(packed, Path.Combine(experts, $"{id}.expert"));
        string output = feed.Tool("call", op, """{"x":3,"factor":2.5}""", "--dir", experts, "--json");
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Equal("result", json.RootElement.GetProperty("outcome").GetString());
            Assert.Equal(7.5, json.RootElement.GetProperty("value").GetDouble());
            Assert.Equal(id, json.RootElement.GetProperty("expert_id").GetString());
        }
        var (code, declined, _) = Repo.TryRun(feed.Polymath, feed.Root, feed.Environment, "call", op, """{"x":"three","factor":2}""", "--dir", experts, "--json");
        Assert.NotEqual(0, code);
        Assert.Contains("\"declined\"", declined, StringComparison.Ordinal);
    }

    /// <summary>Scaffolds polymath-plugin as AcmeRuntime (id acme) and builds it, once per fixture.</summary>
    private string ScaffoldPlugin()
    {
        string plugin = Path.Combine(feed.Root, "acme-plugin");
        lock (feed)
        {
            if (File.Exists(Path.Combine(plugin, "AcmeRuntime", "bin", "Release", "net10.0", "AcmeRuntime.dll"))) return plugin;
            feed.EnsureTemplates();
            feed.Dotnet(null, "new", "polymath-plugin", "-n", "AcmeRuntime", "--pluginId", "acme", "-o", plugin);
            feed.Dotnet(plugin, "build", "AcmeRuntime", "-c", "Release");
        }
        AssertRestoredFromFeed("polymath.sdk", "polymath.runtime.interpreter");
        return plugin;
    }

    /// <summary>The private package folder holds these Polymath packages, extracted from the feed's .nupkg files.</summary>
    private void AssertRestoredFromFeed(params string[] ids)
    {
        foreach (var id in ids)
        {
            string dir = Path.Combine(feed.Environment["NUGET_PACKAGES"]!, id, Repo.Version);
            Assert.True(Directory.Exists(dir), $"{id} {Repo.Version} was not restored into the private package folder {dir}");
            string metadata = File.ReadAllText(Path.Combine(dir, ".nupkg.metadata"));
            Assert.Contains(Repo.Feed.Replace("\\", "\\\\", StringComparison.Ordinal), metadata, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"Failed:\s+(?<failed>\d+),\s+Passed:\s+(?<passed>\d+)")]
    private static partial Regex TestSummary();
}
