using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Host.Logging;

namespace Polymath.Host.Experts;

/// <summary>
/// Watches the experts directory (files and subfolders: create, change, delete, rename) and reloads the registry
/// once events have been quiet for the debounce interval. Reloads never overlap; a reload that fails is logged and
/// the registry keeps its current table.
/// </summary>
public sealed class ExpertDirectoryWatcher : IDisposable
{
    private readonly ExpertRegistry _registry;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;
    private readonly int _debounceMs;
    private int _running;
    private int _pending;
    private bool _disposed;

    /// <summary>Starts watching <see cref="ExpertRegistry.Directory"/> (created if missing).</summary>
    public ExpertDirectoryWatcher(ExpertRegistry registry, int debounceMs, ILogger? logger = null)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _logger = logger ?? NullLogger.Instance;
        _debounceMs = Math.Max(0, debounceMs);
        Directory.CreateDirectory(registry.Directory);
        _timer = new Timer(_ => Fire(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(registry.Directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            InternalBufferSize = 64 * 1024,
        };
        _watcher.Created += OnEvent;
        _watcher.Changed += OnEvent;
        _watcher.Deleted += OnEvent;
        _watcher.Renamed += OnEvent;
        _watcher.Error += (_, e) => { Log.WatcherOverflow(_logger, e.GetException()); Schedule(); };
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Raised after each reload triggered by file events (for tests and diagnostics).</summary>
    public event EventHandler? Reloaded;

    /// <summary>Number of reloads done.</summary>
    public int ReloadCount { get; private set; }

    private void OnEvent(object sender, FileSystemEventArgs e) => Schedule();

    private void Schedule()
    {
        if (_disposed) return;
        Volatile.Write(ref _pending, 1);
        try { _timer.Change(_debounceMs, Timeout.Infinite); } catch (ObjectDisposedException) { }
    }

    private void Fire()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1) { Schedule(); return; }
        try
        {
            while (!_disposed && Interlocked.Exchange(ref _pending, 0) == 1)
            {
                try { _registry.Reload(); ReloadCount++; }
                catch (ObjectDisposedException) { return; }
                catch (Exception e) { Log.ReloadFailed(_logger, e, _registry.Directory); }
                Reloaded?.Invoke(this, EventArgs.Empty);
            }
        }
        finally { Volatile.Write(ref _running, 0); }
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        _disposed = true;
        _watcher.Dispose();
        _timer.Dispose();
    }
}
