namespace Polymath.Host;

/// <summary>
/// Settings of the engine, the configuration section <c>Polymath</c> (<see cref="SectionName"/>;
/// <c>AddPolymath</c> binds it). Through <see cref="Catalog.RuntimeCatalog.Create"/> without a configuration, anything
/// left null is taken from the environment variables and configuration keys listed on each property, then from the
/// defaults; the older single environment variables are <see cref="LegacyEnvironmentVariables"/> (docs/configuration.md).
/// </summary>
public sealed class PolymathHostOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Polymath";

    /// <summary>
    /// The single environment variables older releases read, each with the configuration key it stands for. A host that
    /// builds its configuration with <c>AddPolymathEnvironment</c> maps them as a configuration source below the
    /// <c>POLYMATH_Section__Key</c> variables, so they keep working and a section-style variable wins over them.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LegacyEnvironmentVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [PluginsFileVariable] = PluginsFileKey,
        ["POLYMATH_PLATFORM"] = "Polymath:Platform",
        ["POLYMATH_NO_DYNAMIC_CODE"] = "Polymath:NoDynamicCode",
        [CodeCacheVariable] = CodeCacheKey,
    };

    /// <summary>Environment variable naming the plugins.json to use.</summary>
    public const string PluginsFileVariable = "POLYMATH_PLUGINS";
    /// <summary>Configuration key naming the plugins.json to use.</summary>
    public const string PluginsFileKey = "Polymath:PluginsFile";

    /// <summary>The plugins.json used when nothing else names one: the one beside the application.</summary>
    public static string DefaultPluginsFile => Path.Combine(AppContext.BaseDirectory, "plugins.json");

    /// <summary>
    /// The plugins.json to read. Null: <c>POLYMATH_PLUGINS</c>, then <c>Polymath:PluginsFile</c>, then
    /// <see cref="DefaultPluginsFile"/>.
    /// </summary>
    public string? PluginsFile { get; set; }

    /// <summary>
    /// A runtime identifier to simulate (e.g. <c>linux-arm</c>). Null: <c>POLYMATH_PLATFORM</c>, then
    /// <c>Polymath:Platform</c>, then the real process.
    /// </summary>
    public string? Platform { get; set; }

    /// <summary>
    /// True simulates a platform without dynamic code (NativeAOT, iOS). Null: <c>POLYMATH_NO_DYNAMIC_CODE</c>, then
    /// <c>Polymath:NoDynamicCode</c>, then the platform's own answer.
    /// </summary>
    public bool? NoDynamicCode { get; set; }

    /// <summary>Environment variable naming the compiled-code cache directory (<c>off</c> disables the cache).</summary>
    public const string CodeCacheVariable = "POLYMATH_CODE_CACHE";
    /// <summary>Configuration key naming the compiled-code cache directory (<c>off</c> disables the cache).</summary>
    public const string CodeCacheKey = "Polymath:CodeCacheDirectory";

    /// <summary>
    /// The compiled-code cache the host owns: runtimes that compile to machine code (Wasmtime) keep serialized modules
    /// there between processes, keyed by the wasm's hash, and only ever read code from it (never from a package).
    /// Null: <c>POLYMATH_CODE_CACHE</c>, then <c>Polymath:CodeCacheDirectory</c>, then <see cref="DefaultCodeCacheDirectory"/>;
    /// <c>off</c> at any level disables the cache.
    /// </summary>
    public string? CodeCacheDirectory { get; set; }

    /// <summary>The default cache: <c>$XDG_CACHE_HOME/polymath/code</c>, else <c>~/.cache/polymath/code</c> (on Windows, under LocalApplicationData).</summary>
    public static string DefaultCodeCacheDirectory
    {
        get
        {
            if (OperatingSystem.IsWindows())
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "polymath", "code");
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "polymath", "code");
        }
    }

    /// <summary>
    /// How <see cref="Platform"/> and <see cref="NoDynamicCode"/> are named in errors and in the catalog's
    /// <see cref="Platform.PlatformSelection"/> (e.g. <c>--platform</c>, <c>POLYMATH_PLATFORM</c>, or
    /// <c>appsettings.json: Polymath:Platform</c>); null = <c>--platform</c>. Set by the composition root, not bound.
    /// </summary>
    public string? PlatformSource { get; set; }

    /// <summary>How <see cref="NoDynamicCode"/> is named, like <see cref="PlatformSource"/>; null = <c>--no-dynamic-code</c>, or <see cref="PlatformSource"/> when that is set.</summary>
    public string? DynamicCodeSource { get; set; }

    /// <summary>How many full garbage collections an unload waits for before it reports the context as still alive. Default 10.</summary>
    public int UnloadGcPasses { get; set; } = 10;
}
