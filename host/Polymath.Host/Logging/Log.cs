using Microsoft.Extensions.Logging;

namespace Polymath.Host.Logging;

/// <summary>
/// Every log message of the host library: constant templates, generated at compile time. Event ids: 1xx runtime
/// plugins (catalog, loader), 2xx experts (loading pipeline, registry, calls, watcher).
/// </summary>
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

    [LoggerMessage(EventId = 109, Level = LogLevel.Debug, Message = "Runtime plugin {PluginId} is precompiled (ReadyToRun) and its load context not collectible: the host's references are dropped, its code stays loaded until exit")]
    public static partial void PluginKeptPrecompiled(ILogger logger, string pluginId);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "The load context of runtime plugin {PluginId} is still alive after {Passes} GC passes: something still references the plugin's objects (an engine, module or instance not released?)")]
    public static partial void PluginNotCollected(ILogger logger, string pluginId, int passes);

    [LoggerMessage(EventId = 108, Level = LogLevel.Debug, Message = "Creating an engine from runtime plugin {PluginId}")]
    public static partial void CreatingEngine(ILogger logger, string pluginId);

    // ---- experts: the loading pipeline (one event per step and package; tests count them) --------------------------

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Expert package {Source}: module read and validated ({Functions} functions, {Imports} imports)")]
    public static partial void ModuleValidated(ILogger logger, string source, int functions, int imports);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Expert package {Source}: runtime chosen: {Runtime} ({Reason})")]
    public static partial void RuntimeChosen(ILogger logger, string source, string runtime, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Expert package {Source}: compiled on {Runtime} in {ElapsedMs:0.0} ms")]
    public static partial void ModuleCompiled(ILogger logger, string source, string runtime, double elapsedMs);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "Expert package {Source}: metadata read: expert {ExpertId} with {Ops} ops")]
    public static partial void MetadataRead(ILogger logger, string source, string expertId, int ops);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "Expert {ExpertId}: {Status} after grants ({Reason})")]
    public static partial void GrantsApplied(ILogger logger, string expertId, string status, string reason);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Expert {Source} has id {ExpertId}, which is not of the form [a-z0-9_-]+")]
    public static partial void UnconventionalExpertId(ILogger logger, string source, string expertId);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "Expert {ExpertId}: expert.json (tier {Tier}, version {Version}) differs from larql_metadata (tier {MetadataTier}, version {MetadataVersion}); expert.json wins")]
    public static partial void ManifestDiffersFromMetadata(ILogger logger, string expertId, int tier, string version, int metadataTier, string metadataVersion);

    // ---- experts: the registry ---------------------------------------------------------------------------------------

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Experts directory {Directory} does not exist")]
    public static partial void ExpertsDirectoryMissing(ILogger logger, string directory);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Expert event: {Message}")]
    public static partial void ExpertLoaded(ILogger logger, string message);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "Expert event: {Message}")]
    public static partial void ExpertUnloaded(ILogger logger, string message);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "Expert event: {Message}")]
    public static partial void ExpertDegraded(ILogger logger, string message);

    [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "Expert event: {Message}")]
    public static partial void ExpertRejected(ILogger logger, string message);

    [LoggerMessage(EventId = 215, Level = LogLevel.Information, Message = "Op {Op} of expert {ExpertId} is shadowed by expert {Winner}")]
    public static partial void OpShadowed(ILogger logger, string op, string expertId, string winner);

    [LoggerMessage(EventId = 216, Level = LogLevel.Error, Message = "An expert event handler threw")]
    public static partial void EventHandlerThrew(ILogger logger, Exception exception);

    // ---- experts: guest output, hot reload ---------------------------------------------------------------------------

    [LoggerMessage(EventId = 220, Level = LogLevel.Information, Message = "guest stdout: {Text}")]
    public static partial void GuestStdout(ILogger logger, string text);

    [LoggerMessage(EventId = 221, Level = LogLevel.Warning, Message = "guest stderr: {Text}")]
    public static partial void GuestStderr(ILogger logger, string text);

    [LoggerMessage(EventId = 222, Level = LogLevel.Warning, Message = "File watcher overflow; rescanning experts")]
    public static partial void WatcherOverflow(ILogger logger, Exception? exception);

    [LoggerMessage(EventId = 223, Level = LogLevel.Error, Message = "Reloading experts from {Directory} failed")]
    public static partial void ReloadFailed(ILogger logger, Exception exception, string directory);

    // ---- experts: registry and watcher robustness (650-699) ----------------------------------------------------------

    [LoggerMessage(EventId = 650, Level = LogLevel.Warning, Message = "Expert {ExpertId} ({Source}) asks for more than the operator allows; clamped: {Clamped}")]
    public static partial void LimitsClamped(ILogger logger, string expertId, string source, string clamped);

    [LoggerMessage(EventId = 651, Level = LogLevel.Information, Message = "Op conflict: {Explanation}")]
    public static partial void OpConflict(ILogger logger, string explanation);

    [LoggerMessage(EventId = 652, Level = LogLevel.Warning, Message = "Reading or loading package {Source} threw; that package is rejected, the others are unaffected")]
    public static partial void PackageThrew(ILogger logger, Exception exception, string source);

    [LoggerMessage(EventId = 653, Level = LogLevel.Error, Message = "Listing the experts directory {Directory} failed; the loaded experts keep serving")]
    public static partial void DiscoverFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 654, Level = LogLevel.Warning, Message = "Experts directory {Directory} is missing; the {Count} loaded experts keep serving until it returns")]
    public static partial void DirectoryMissingKeptTable(ILogger logger, string directory, int count);

    [LoggerMessage(EventId = 655, Level = LogLevel.Error, Message = "A handler of the experts directory watcher's Reloaded event threw; the watcher goes on")]
    public static partial void ReloadedHandlerThrew(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 656, Level = LogLevel.Information, Message = "Experts directory {Directory} was replaced or recreated; watching the new one and reloading")]
    public static partial void WatcherRearmed(ILogger logger, string directory);

    [LoggerMessage(EventId = 657, Level = LogLevel.Warning, Message = "Experts directory {Directory} is gone; hot reload resumes when it returns")]
    public static partial void WatcherDirectoryGone(ILogger logger, string directory);

    [LoggerMessage(EventId = 658, Level = LogLevel.Error, Message = "The experts directory watcher failed in {Step}; it goes on")]
    public static partial void WatcherStepFailed(ILogger logger, Exception exception, string step);

    [LoggerMessage(EventId = 660, Level = LogLevel.Information, Message = "Experts directory {Directory} was replaced while it was being read (attempt {Attempt}); that scan is dropped and the directory read again")]
    public static partial void DirectoryChangedDuringReload(ILogger logger, string directory, int attempt);

    [LoggerMessage(EventId = 659, Level = LogLevel.Error, Message = "A handler of the registry's {EventName} event threw; the other handlers still ran")]
    public static partial void RegistryHandlerThrew(ILogger logger, Exception exception, string eventName);
    // ---- experts: native kernels (800–849) ---------------------------------------------------------------------------

    [LoggerMessage(EventId = 800, Level = LogLevel.Debug, Message = "Native kernel {Sha256} shadow-copied to {Path}")]
    public static partial void NativeKernelShadowCopied(ILogger logger, string sha256, string path);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "Native kernel shadow copy {Path} hashes to {Actual}, not its name: rewriting it")]
    public static partial void NativeKernelShadowCopyCorrupt(ILogger logger, string path, string actual);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "Expert {ExpertId}: bound to its native kernel for {Rid} ({Path}); WebAssembly fallback on {Fallback}")]
    public static partial void NativeKernelBound(ILogger logger, string expertId, string rid, string path, string fallback);

    [LoggerMessage(EventId = 803, Level = LogLevel.Information, Message = "Expert {ExpertId}: {Reason}")]
    public static partial void NativeKernelNotUsed(ILogger logger, string expertId, string reason);
    // ---- experts: tier-up and the metadata cache (750–799) ------------------------------------------------------------

    [LoggerMessage(EventId = 750, Level = LogLevel.Debug, Message = "Expert {ExpertId} starts on {StartRuntime} while {TargetRuntime} compiles it in the background")]
    public static partial void TierUpScheduled(ILogger logger, string expertId, string startRuntime, string targetRuntime);

    [LoggerMessage(EventId = 751, Level = LogLevel.Information, Message = "Expert {ExpertId} moved from {OldRuntime} to {NewRuntime} (compiled in {Milliseconds:F1} ms)")]
    public static partial void TierUpSwapped(ILogger logger, string expertId, string oldRuntime, string newRuntime, double milliseconds);

    [LoggerMessage(EventId = 752, Level = LogLevel.Warning, Message = "Expert {ExpertId} stays on {Runtime}: {Reason}")]
    public static partial void TierUpFailed(ILogger logger, string expertId, string runtime, string reason);

    [LoggerMessage(EventId = 753, Level = LogLevel.Debug, Message = "Tier-up of expert {ExpertId} cancelled (host disposed)")]
    public static partial void TierUpCancelled(ILogger logger, string expertId);

    [LoggerMessage(EventId = 754, Level = LogLevel.Error, Message = "Tier-up of expert {ExpertId} failed unexpectedly")]
    public static partial void TierUpCrashed(ILogger logger, Exception exception, string expertId);

    [LoggerMessage(EventId = 755, Level = LogLevel.Debug, Message = "Expert {ExpertId} starts on {Runtime} from its compiled-code cache")]
    public static partial void StartedFromCodeCache(ILogger logger, string expertId, string runtime);

    [LoggerMessage(EventId = 756, Level = LogLevel.Debug, Message = "Expert {ExpertId} warmed up on {Runtime}: {Calls} calls ({Failed} trapped), budget exhausted: {OutOfBudget}, {Milliseconds:F1} ms")]
    public static partial void TierUpWarmedUp(ILogger logger, string expertId, string runtime, int calls, int failed, bool outOfBudget, double milliseconds);

    [LoggerMessage(EventId = 760, Level = LogLevel.Debug, Message = "Metadata cache miss: {Path}")]
    public static partial void MetadataCacheMiss(ILogger logger, string path);

    [LoggerMessage(EventId = 761, Level = LogLevel.Debug, Message = "Metadata cache hit: {Path}")]
    public static partial void MetadataCacheHit(ILogger logger, string path);

    [LoggerMessage(EventId = 762, Level = LogLevel.Warning, Message = "Metadata cache entry {Path} discarded and rebuilt: {Problem}")]
    public static partial void MetadataCacheDiscarded(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 763, Level = LogLevel.Debug, Message = "Metadata cache entry written: {Path}")]
    public static partial void MetadataCacheWritten(ILogger logger, string path);

    [LoggerMessage(EventId = 764, Level = LogLevel.Warning, Message = "Metadata cache entry {Path} not written: {Reason}")]
    public static partial void MetadataCacheNotWritten(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 765, Level = LogLevel.Warning, Message = "Metadata cache entry {Path} unusable: {Reason}")]
    public static partial void MetadataCacheUnusable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 767, Level = LogLevel.Warning, Message = "Metadata cache {Directory} not used (every expert is read at load): {Problem}")]
    public static partial void MetadataCacheOff(ILogger logger, string directory, string problem);

    [LoggerMessage(EventId = 766, Level = LogLevel.Information, Message = "Package {Source}: larql_metadata failed before under the same limits ({Failure}); not tried again (metadata cache)")]
    public static partial void MetadataFailureCached(ILogger logger, string source, string failure);
}
