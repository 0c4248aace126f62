using Polymath.Experts;
using Polymath.Host.Logging;

namespace Polymath.Host.Experts;

// Loading: the scan of the directory and the atomic swap of the op table (the lifecycle is in ExpertHost.cs).
public sealed partial class ExpertHost
{
    /// <summary>Loads (or reloads) the directory.</summary>
    /// <exception cref="ObjectDisposedException">The host was disposed.</exception>
    public Task LoadAsync(CancellationToken cancellationToken = default) => Task.Run(() => Reload(cancellationToken), cancellationToken);

    /// <summary>
    /// Rescans the directory: unchanged packages stay, changed ones are fully validated before they replace the
    /// old version (a bad new version is rejected and the old one keeps serving), removed ones drain and unload.
    /// The op table swaps atomically. Whatever one package does (a malformed manifest, a payload path the file system
    /// refuses, a loader that throws) rejects that package only; a missing directory keeps the loaded experts serving.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The host was disposed (also when it is disposed while this waits or runs).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the table is unchanged.</exception>
    public void Reload(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        CancellationTokenSource linked;
        try { linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token); }
        catch (ObjectDisposedException) { throw new ObjectDisposedException(nameof(ExpertHost)); }
        using (linked)
        {
            try { _reloadLock.Wait(linked.Token); }
            catch (OperationCanceledException) when (Volatile.Read(ref _disposed)) { throw new ObjectDisposedException(nameof(ExpertHost)); }
            try
            {
                // Dispose may have run between the first check and the lock: never load into disposed engines.
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
                ReloadLocked(linked.Token);
            }
            catch (OperationCanceledException) when (Volatile.Read(ref _disposed)) { throw new ObjectDisposedException(nameof(ExpertHost)); }
            finally { _reloadLock.Release(); }
        }
    }


    /// <summary>How many times one reload reads a directory that keeps being replaced before it keeps the old table.</summary>
    private const int MaxScanAttempts = 5;

    /// <summary>
    /// One reload is a snapshot of one directory: the scan is dropped when the directory at the path was replaced while
    /// it was read (a deploy that renames a new directory into place), because the listing and the reads could then
    /// see neither directory whole, and a package present in both would be retired for a moment. The directory is read
    /// again, a few times at most; after that the old table stays and the watcher's re-arm reloads later.
    /// </summary>
    private void ReloadLocked(CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            if (TryReloadOnce(cancellationToken)) return;
            Log.DirectoryChangedDuringReload(_logger, Directory, attempt);
            if (attempt == MaxScanAttempts) return;
            cancellationToken.WaitHandle.WaitOne(10 * attempt);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Scans and publishes; false (nothing published, nothing leaked) when the directory was replaced meanwhile.</summary>
    private bool TryReloadOnce(CancellationToken cancellationToken)
    {
        var old = Volatile.Read(ref _table);
        var oldBySource = old.Experts.ToDictionary(e => e.Package.Source, StringComparer.Ordinal);
        var identity = DirectoryIdentity.Of(Directory);
        if (!identity.Exists)
        {
            if (old.Experts.Count > 0 || old.Failures.Count > 0)
            {
                // Deleted, or between the two renames of a swap: keep serving; the watcher reloads when it returns.
                Log.DirectoryMissingKeptTable(_logger, Directory, old.Experts.Count);
                return true;
            }
            Log.ExpertsDirectoryMissing(_logger, Directory);
        }
        IReadOnlyList<string> paths;
        try { paths = identity.Exists ? ExpertPackageReader.Discover(Directory) : []; }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.DiscoverFailed(_logger, e, Directory);
            return true;
        }
        if (DirectoryIdentity.Of(Directory) != identity) return false; // replaced while listed

        var experts = new List<LoadedExpert>();
        var failures = new List<LoadFailure>();
        var loaded = new List<LoadedExpert>();
        var retired = new List<LoadedExpert>();
        try
        {
            foreach (var path in paths)
            {
                cancellationToken.ThrowIfCancellationRequested();
                oldBySource.TryGetValue(path, out var previous);
                ExpertPackage package;
                try { package = ExpertPackageReader.Read(path); }
                catch (ExpertPackageException e) { Reject(path, previous, e.Message, null); continue; }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Log.PackageThrew(_logger, e, path);
                    Reject(path, previous, $"the package cannot be read: {e.Message}", null);
                    continue;
                }
                if (previous is not null && previous.Package.Fingerprint == package.Fingerprint)
                {
                    previous.RejectedUpdate = null; // the good version is back (or never left): nothing is rejected now
                    experts.Add(previous);
                    continue;
                }
                LoadedExpert? expert;
                LoadFailure? failure;
                try { (expert, failure) = _loader.Load(package); }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Log.PackageThrew(_logger, e, path);
                    (expert, failure) = (null, new LoadFailure(path, Path.GetFileNameWithoutExtension(path), $"loading the package failed: {e.GetType().Name}: {e.Message}", null));
                }
                if (expert is null) { Reject(path, previous, failure!.Reason, failure.Fix); continue; }
                experts.Add(expert);
                loaded.Add(expert);
                if (previous is not null) retired.Add(previous);
            }
        }
        catch
        {
            foreach (var e in loaded) e.Release(); // cancelled (or disposed) mid-scan: the old table stays, nothing new leaks
            throw;
        }
        if (DirectoryIdentity.Of(Directory) != identity)
        {
            foreach (var e in loaded) e.Release(); // replaced while read: this scan is not a snapshot of one directory
            return false;
        }
        var live = new HashSet<string>(paths, StringComparer.Ordinal);
        foreach (var e in old.Experts)
            if (!live.Contains(e.Package.Source)) retired.Add(e);

        // Two packages with the same id: a signed package beats an unsigned one, then the first by path wins; the other is reported.
        var byId = new Dictionary<string, LoadedExpert>(StringComparer.Ordinal);
        foreach (var e in experts.OrderByDescending(x => OpTable.IsSigned(x.Package)).ThenBy(x => x.Package.Source, StringComparer.Ordinal).ToList())
        {
            if (byId.TryGetValue(e.Id, out var first))
            {
                experts.Remove(e);
                string why = OpTable.IsSigned(first.Package) && !OpTable.IsSigned(e.Package) ? "it is signed and this one is not" : "its path sorts first";
                failures.Add(new LoadFailure(e.Package.Source, e.Id,
                    $"duplicate expert id '{e.Id}': {first.Package.Source} already provides it and wins because {why}", "remove or rename one of the packages"));
                if (loaded.Remove(e)) e.Release();
                else retired.Add(e);
            }
            else byId[e.Id] = e;
        }

        // Native kernels only now: only a package that won its id may load code (ExpertLoader.BindNative).
        foreach (var e in loaded) _loader.BindNative(e);

        var next = OpTable.Build(experts, failures);
        Volatile.Write(ref _table, next);

        foreach (var e in retired)
        {
            string message = $"expert '{e.Id}' {e.Package.Source} unloaded (in-flight calls finish on it)";
            Log.ExpertUnloaded(_logger, message);
            Raise(ExpertUnloaded, nameof(ExpertUnloaded), old.ToInfo(e), message);
            e.Release();
        }
        foreach (var e in loaded)
        {
            var info = next.ToInfo(e);
            string status = info.Status.ToString().ToLowerInvariant();
            string message = $"expert '{e.Id}' {info.Version} loaded from {e.Package.Source}: {status} ({info.Reason})";
            Log.ExpertLoaded(_logger, message);
            Raise(ExpertLoaded, nameof(ExpertLoaded), info, message);
            if (e.Limits.Clamped.Count > 0) Log.LimitsClamped(_logger, e.Id, e.Package.Source, string.Join("; ", e.Limits.Clamped));
            if (e.Binding.Status != ExpertStatus.Bound)
            {
                message = $"expert '{e.Id}' is {status}: {info.Reason}{(info.Fix is null ? "" : $"; fix: {info.Fix}")}";
                Log.ExpertDegraded(_logger, message);
                Raise(ExpertDegraded, nameof(ExpertDegraded), info, message);
            }
            foreach (var c in info.Conflicts)
                if (!c.Wins) { Log.OpShadowed(_logger, c.Op, e.Id, c.OtherId); Log.OpConflict(_logger, c.Explanation); }
        }
        return true;

        void Reject(string path, LoadedExpert? previous, string reason, string? fix)
        {
            if (previous is not null)
            {
                previous.RejectedUpdate = reason;
                experts.Add(previous);
                string message = $"new version of '{previous.Id}' at {path} rejected, previous version keeps serving: {reason}";
                Log.ExpertRejected(_logger, message);
                Raise(ExpertRejected, nameof(ExpertRejected), old.ToInfo(previous), message);
            }
            else
            {
                string id = Path.GetFileNameWithoutExtension(path.TrimEnd(Path.DirectorySeparatorChar));
                var failure = new LoadFailure(path, id, reason, fix ?? "fix the package and save it again; the host reloads it");
                failures.Add(failure);
                string message = $"package {path} rejected: {reason}";
                Log.ExpertRejected(_logger, message);
                Raise(ExpertRejected, nameof(ExpertRejected), failure.ToInfo(), message);
            }
        }
    }
}
