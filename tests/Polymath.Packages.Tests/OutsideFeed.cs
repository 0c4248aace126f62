namespace Polymath.Packages.Tests;

/// <summary>
/// A consumer's machine: a fresh folder outside the repository whose nuget.config has the local feed
/// (artifacts/packages, the only source of Polymath.* packages, by package source mapping) and the normal public source
/// for third-party packages; a private NUGET_PACKAGES and DOTNET_CLI_HOME, so nothing built in the repository is visible.
/// The polymath tool and the templates are installed from the feed once, on first use.
/// </summary>
public sealed class OutsideFeed : IDisposable
{
    private static readonly string[] Shipped =
    [
        "Polymath.Sdk", "Polymath.Wasm", "Polymath.Experts", "Polymath.Client", "Polymath.Host", "Polymath.Conformance",
        "Polymath.Runtime.Interpreter", "Polymath.Runtime.Compiler", "Polymath.Runtime.Wasmtime", "Polymath.Runtime.Native",
        "Polymath.Cli", "Polymath.Templates",
    ];

    private readonly Lazy<string> _tool;
    private readonly Lazy<bool> _templates;

    public OutsideFeed()
    {
        foreach (var id in Shipped)
            Assert.True(File.Exists(Path.Combine(Repo.Feed, $"{id}.{Repo.Version}.nupkg")),
                $"{id}.{Repo.Version}.nupkg is not in {Repo.Feed}: run `dotnet pack Polymath.slnx -c Release -o artifacts/packages` first (.ci/run does)");
        Root = Directory.CreateTempSubdirectory("polymath-consumer-").FullName;
        Assert.False(Root.StartsWith(Repo.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"{Root} is inside the repository");
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="polymath" value="{Repo.Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="polymath"><package pattern="Polymath.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        Environment = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = Path.Combine(Root, ".nuget-packages"),
            ["DOTNET_CLI_HOME"] = Path.Combine(Root, ".dotnet-home"),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "1",
            ["POLYMATH_PLATFORM"] = null,
            ["POLYMATH_PLUGINS"] = null,
            ["POLYMATH_NO_DYNAMIC_CODE"] = null,
        };
        Experts = Path.Combine(Root, "experts");
        Repo.CopyFolder(Path.Combine(Repo.Root, "experts", "arithmetic"), Path.Combine(Experts, "arithmetic"));
        _tool = new Lazy<string>(InstallTool);
        _templates = new Lazy<bool>(InstallTemplates);
    }

    /// <summary>The consumer's folder (outside the repository).</summary>
    public string Root { get; }

    /// <summary>An experts directory with the arithmetic expert (gcd).</summary>
    public string Experts { get; }

    /// <summary>The environment every command runs with.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>The polymath tool installed from the feed with <c>dotnet tool install --tool-path</c>.</summary>
    public string Polymath => _tool.Value;

    /// <summary>Runs <c>dotnet</c> in <paramref name="directory"/> (default: <see cref="Root"/>).</summary>
    public string Dotnet(string? directory, params string[] args) => Repo.Run("dotnet", directory ?? Root, Environment, args);

    /// <summary>Runs the installed tool.</summary>
    public string Tool(params string[] args) => Repo.Run(Polymath, Root, Environment, args);

    /// <summary>Makes sure Polymath.Templates is installed (from the feed) in this consumer's dotnet home.</summary>
    public void EnsureTemplates() => _ = _templates.Value;

    /// <summary>A new empty folder under <see cref="Root"/>.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    private string InstallTool()
    {
        string output = Dotnet(null, "tool", "install", "Polymath.Cli", "--version", Repo.Version, "--tool-path", Path.Combine(Root, "tools"));
        Assert.Contains("polymath", output, StringComparison.Ordinal);
        string tool = Path.Combine(Root, "tools", OperatingSystem.IsWindows() ? "polymath.exe" : "polymath");
        Assert.True(File.Exists(tool), $"dotnet tool install did not create {tool}:\n{output}");
        return tool;
    }

    private bool InstallTemplates()
    {
        string output = Dotnet(null, "new", "install", $"Polymath.Templates::{Repo.Version}");
        foreach (var t in new[] { "polymath-plugin", "polymath-expert-c", "polymath-expert-rust" })
            Assert.Contains(t, output, StringComparison.Ordinal);
        return true;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
