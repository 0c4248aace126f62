using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Host.Logging;

namespace Polymath.Host.Experts;

/// <summary>
/// Watches the experts directory (files and subfolders: create, change, delete, rename) and reloads the host
/// once events have been quiet for the debounce interval. Reloads never overlap; a reload that fails is logged and
/// the host keeps its current table. The directory itself may be deleted, recreated or swapped by rename: the
/// parent folder is watched for its name and its identity (device and inode) is checked periodically, and when it
/// changes the watcher is re-armed on the directory now at that path and the host reloads. Nothing a
/// <see cref="Reloaded"/> handler throws stops the watcher.
/// </summary>
public sealed class ExpertDirectoryWatcher : IDisposable
{
    /// <summary>Default period of the directory identity check, in ms.</summary>
    public const int DefaultCheckIntervalMs = 1000;

    private readonly ExpertHost _host;
    private readonly ILogger _logger;
    private readonly Timer _timer;
    private readonly Timer _checkTimer;
    private readonly int _debounceMs;
    private readonly object _gate = new();
    private readonly string _name;
    private FileSystemWatcher? _watcher;
    private FileSystemWatcher? _parentWatcher;
    private DirectoryIdentity _armed;
    private int _running;
    private int _pending;
    private int _reloadCount;
    private int _rearmCount;
    private volatile bool _disposed;

    /// <summary>Starts watching <see cref="ExpertHost.Directory"/> (created if missing).</summary>
    public ExpertDirectoryWatcher(ExpertHost host, int debounceMs, ILogger? logger = null)
        : this(host, debounceMs, DefaultCheckIntervalMs, logger) { }

    /// <summary>Starts watching <see cref="ExpertHost.Directory"/> (created if missing), checking its identity every <paramref name="checkIntervalMs"/>.</summary>
    public ExpertDirectoryWatcher(ExpertHost host, int debounceMs, int checkIntervalMs, ILogger? logger = null)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
        _logger = logger ?? NullLogger.Instance;
        _debounceMs = Math.Max(0, debounceMs);
        _name = Path.GetFileName(host.Directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        Directory.CreateDirectory(host.Directory);
        _timer = new Timer(_ => Fire(), null, Timeout.Infinite, Timeout.Infinite);
        lock (_gate)
        {
            Arm();
            WatchParent();
        }
        int period = Math.Max(10, checkIntervalMs);
        _checkTimer = new Timer(_ => CheckIdentity(), null, period, period);
    }

    /// <summary>Raised after each reload triggered by file events (for tests and diagnostics). A handler that throws is logged.</summary>
    public event EventHandler? Reloaded;

    /// <summary>Number of reloads done.</summary>
    public int ReloadCount => Volatile.Read(ref _reloadCount);

    /// <summary>How many times the directory was found replaced (deleted and recreated, or swapped) and watched again.</summary>
    public int RearmCount => Volatile.Read(ref _rearmCount);

    /// <summary>Watches the directory now at the path (if any) and remembers its identity. Under <see cref="_gate"/>.</summary>
    private void Arm()
    {
        _watcher?.Dispose();
        _watcher = null;
        _armed = DirectoryIdentity.Of(_host.Directory);
        if (!_armed.Exists) return;
        try
        {
            var w = new FileSystemWatcher(_host.Directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                InternalBufferSize = 64 * 1024,
            };
            w.Created += OnEvent;
            w.Changed += OnEvent;
            w.Deleted += OnEvent;
            w.Renamed += OnEvent;
            w.Error += OnError;
            w.EnableRaisingEvents = true;
            _watcher = w;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // Gone again between the check and the watch (or inotify limits): the periodic check tries again.
            Log.WatcherStepFailed(_logger, e, "watching the directory");
            _armed = default;
        }
    }

    /// <summary>Watches the parent folder for the directory's own name (deleted, created, renamed away or into place).</summary>
    private void WatchParent()
    {
        string? parent = Path.GetDirectoryName(_host.Directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        if (parent is null || !Directory.Exists(parent)) return;
        try
        {
            var w = new FileSystemWatcher(parent) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.DirectoryName };
            w.Created += OnParentEvent;
            w.Deleted += OnParentEvent;
            w.Renamed += OnParentEvent;
            w.Error += (_, _) => CheckIdentity();
            w.EnableRaisingEvents = true;
            _parentWatcher = w;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            Log.WatcherStepFailed(_logger, e, "watching the parent folder"); // the periodic check still covers it
        }
    }

    private void OnParentEvent(object sender, FileSystemEventArgs e)
    {
        if (string.Equals(e.Name, _name, StringComparison.Ordinal)
            || (e is RenamedEventArgs r && string.Equals(r.OldName, _name, StringComparison.Ordinal)))
            CheckIdentity();
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => Schedule();

    private void OnError(object sender, ErrorEventArgs e)
    {
        Log.WatcherOverflow(_logger, e.GetException());
        CheckIdentity();
        Schedule();
    }

    /// <summary>Re-arms and reloads when the path now names another directory (or none, or one again).</summary>
    private void CheckIdentity()
    {
        if (_disposed) return;
        try
        {
            var now = DirectoryIdentity.Of(_host.Directory);
            lock (_gate)
            {
                if (_disposed || now == _armed) return;
                if (!now.Exists)
                {
                    if (_armed.Exists) Log.WatcherDirectoryGone(_logger, _host.Directory);
                    _watcher?.Dispose();
                    _watcher = null;
                    _armed = now;
                    return;
                }
                Log.WatcherRearmed(_logger, _host.Directory);
                Arm();
                Interlocked.Increment(ref _rearmCount);
            }
            Schedule();
        }
        catch (Exception e) { Log.WatcherStepFailed(_logger, e, "checking the directory"); }
    }

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
                try { _host.Reload(); Interlocked.Increment(ref _reloadCount); }
                catch (ObjectDisposedException) { return; }
                catch (Exception e) { Log.ReloadFailed(_logger, e, _host.Directory); }
                RaiseReloaded();
            }
        }
        catch (Exception e) { Log.WatcherStepFailed(_logger, e, "reloading"); } // a timer callback must never throw
        finally { Volatile.Write(ref _running, 0); }
    }

    private void RaiseReloaded()
    {
        var handler = Reloaded;
        if (handler is null) return;
        foreach (var d in handler.GetInvocationList())
        {
            try { ((EventHandler)d)(this, EventArgs.Empty); }
            catch (Exception e) { Log.ReloadedHandlerThrew(_logger, e); }
        }
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        _disposed = true;
        lock (_gate)
        {
            _watcher?.Dispose();
            _watcher = null;
            _parentWatcher?.Dispose();
            _parentWatcher = null;
        }
        _checkTimer.Dispose();
        _timer.Dispose();
    }
}
