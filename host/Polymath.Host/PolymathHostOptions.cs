namespace Polymath.Host;

/// <summary>
/// Explicit settings of the engine. Anything left null is taken from the environment variables and
/// configuration keys listed on each property, then from the defaults.
/// </summary>
public sealed class PolymathHostOptions
{
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

    /// <summary>How many full garbage collections an unload waits for before it reports the context as still alive. Default 10.</summary>
    public int UnloadGcPasses { get; set; } = 10;
}
