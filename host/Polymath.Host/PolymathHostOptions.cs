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

    /// <summary>How many full garbage collections an unload waits for before it reports the context as still alive. Default 10.</summary>
    public int UnloadGcPasses { get; set; } = 10;
}
