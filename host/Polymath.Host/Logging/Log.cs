using Microsoft.Extensions.Logging;

namespace Polymath.Host.Logging;

/// <summary>The engine's log messages: constant templates, generated at compile time.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Selecting runtime plugins from {ManifestPath} for platform {Platform} (source: {Source})")]
    public static partial void SelectingPlugins(ILogger logger, string manifestPath, string platform, string source);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Runtime plugin {PluginId} is unsupported here and was not loaded: {Reason}")]
    public static partial void PluginUnsupported(ILogger logger, string pluginId, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Loading runtime plugin {PluginId} from {AssemblyPath}")]
    public static partial void LoadingPlugin(ILogger logger, string pluginId, string assemblyPath);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Runtime plugin {PluginId} is available: {Reason}")]
    public static partial void PluginAvailable(ILogger logger, string pluginId, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Runtime plugin {PluginId} is unavailable: {Reason}")]
    public static partial void PluginUnavailable(ILogger logger, string pluginId, string reason);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Runtime plugin {PluginId} failed: {Reason}")]
    public static partial void PluginFailed(ILogger logger, string pluginId, string reason, Exception? exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "Unloaded runtime plugin {PluginId}; context collected: {Collected} after {Passes} GC passes")]
    public static partial void PluginUnloaded(ILogger logger, string pluginId, bool collected, int passes);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "The load context of runtime plugin {PluginId} is still alive after {Passes} GC passes: something still references the plugin's objects (an engine, module or instance not released?)")]
    public static partial void PluginNotCollected(ILogger logger, string pluginId, int passes);

    [LoggerMessage(EventId = 108, Level = LogLevel.Debug, Message = "Creating an engine from runtime plugin {PluginId}")]
    public static partial void CreatingEngine(ILogger logger, string pluginId);
}
