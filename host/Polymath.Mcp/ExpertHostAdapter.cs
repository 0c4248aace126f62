using System.Globalization;
using Microsoft.Extensions.Logging;
using Polymath.Experts;
using Polymath.Host.Experts;

namespace Polymath.Mcp;

/// <summary>
/// The only place Polymath.Mcp touches Polymath.Host: over the <see cref="ExpertHost"/> of the host's DI composition
/// (<c>AddExperts</c>; see <see cref="ServiceCollectionExtensions.AddPolymathMcp"/>), turns its listing into
/// <see cref="OpDescriptor"/>s (reading each package's manifest for op descriptions and argument schemas), forwards
/// its load/unload/degrade/reject events as <see cref="Changed"/>, and maps <see cref="ExpertCallResult"/> to
/// <see cref="OpCallOutcome"/>. Limits and grants are the host's options; nothing a caller sends can change them.
/// The adapter does not own the host: the container that created it starts, stops and disposes it.
/// </summary>
public sealed class ExpertHostAdapter : IExpertOpSource, IAsyncDisposable
{
    private readonly ExpertHost _host;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private IReadOnlyList<OpDescriptor>? _ops;
    private readonly Dictionary<string, (string Key, ExpertManifest? Manifest)> _manifests = new(StringComparer.Ordinal);

    /// <summary>Adapts <paramref name="host"/> (started or not; its events are followed from now on).</summary>
    public ExpertHostAdapter(ExpertHost host, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _host = host;
        _logger = loggerFactory.CreateLogger("Polymath.Mcp");
        host.Registry.ExpertLoaded += OnRegistryChanged;
        host.Registry.ExpertUnloaded += OnRegistryChanged;
        host.Registry.ExpertDegraded += OnRegistryChanged;
        host.Registry.ExpertRejected += OnRegistryChanged;
    }

    /// <summary>The experts directory the host serves (full path).</summary>
    public string Directory => _host.Registry.Directory;

    /// <inheritdoc />
    public event EventHandler? Changed;

    /// <inheritdoc />
    public IReadOnlyList<OpDescriptor> Ops
    {
        get
        {
            lock (_gate)
                return _ops ??= BuildOps();
        }
    }

    /// <inheritdoc />
    public async Task<OpCallOutcome> CallAsync(string op, string argsJson, CancellationToken cancellationToken)
    {
        var r = await _host.CallAsync(op, argsJson, cancellationToken).ConfigureAwait(false);
        return ToOutcome(r);
    }

    /// <summary>The MCP outcome of one host call (also used for calls routed into a cluster: <c>polymath mcp --cluster</c>).</summary>
    public static OpCallOutcome ToOutcome(ExpertCallResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new OpCallOutcome
        {
            Outcome = r.Outcome,
            Op = r.Op,
            Value = r.Result?.Value,
            Confidence = r.Result?.Confidence ?? 0,
            ExpertId = r.ExpertId,
            RuntimeId = r.RuntimeId,
            LatencyNs = r.LatencyNs,
            Reason = r.Reason,
            Limit = r.Limit is { } l ? ExpertCallResult.Name(l) : null,
        };
    }

    private void OnRegistryChanged(object? sender, ExpertEventArgs e)
    {
        lock (_gate) _ops = null;
        Changed?.Invoke(this, EventArgs.Empty);
    }

    private List<OpDescriptor> BuildOps()
    {
        var experts = _host.Registry.Experts;
        var routes = _host.Registry.Ops;
        var ops = new List<OpDescriptor>();
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in experts)
        {
            if (e.Status == ExpertStatus.Unavailable) continue;
            live.Add(e.Source);
            var manifest = ManifestOf(e);
            string? degraded = e.Status == ExpertStatus.Degraded
                ? (e.Lost.Count > 0 ? $"{e.Reason}; lost: {string.Join(", ", e.Lost)}" : e.Reason)
                : null;
            foreach (var spec in e.Ops)
            {
                // The op table says who serves each op (lower tiers shadow higher ones).
                if (!routes.TryGetValue(spec.Name, out var owner) || owner != e.Id) continue;
                ExpertOpManifest? opManifest = null;
                manifest?.Ops.TryGetValue(spec.Name, out opManifest);
                ops.Add(new OpDescriptor
                {
                    Op = spec.Name,
                    ExpertId = e.Id,
                    ExpertVersion = e.Version,
                    ExpertDescription = e.Description,
                    Description = opManifest?.Description ?? "",
                    ArgNames = spec.Args,
                    ArgsSchema = opManifest?.Args,
                    Degraded = degraded,
                    RuntimeId = e.RuntimeId,
                    Fingerprint = string.Create(CultureInfo.InvariantCulture, $"{e.Id}|{e.Version}|{e.Source}|{e.Status}|{e.RuntimeId}|{e.Reason}|{ManifestKey(e)}"),
                });
            }
            if (manifest is not null)
                foreach (var name in manifest.Ops.Keys)
                    if (!e.Ops.Any(o => o.Name == name))
                        Log.ManifestOpNotAdvertised(_logger, e.Id, name);
        }
        foreach (var stale in _manifests.Keys.Where(k => !live.Contains(k)).ToList()) _manifests.Remove(stale);
        ops.Sort((a, b) => string.CompareOrdinal(a.Op, b.Op));
        return ops;
    }

    // The host does not expose the parsed manifest, so it is read again from the package (only when the package
    // changed: the key is the file's or manifest's last write time and size).
    private ExpertManifest? ManifestOf(ExpertInfo e)
    {
        string key = ManifestKey(e);
        if (_manifests.TryGetValue(e.Source, out var cached) && cached.Key == key) return cached.Manifest;
        ExpertManifest? manifest = null;
        try
        {
            if (ExpertPackageReader.IsPackagePath(e.Source)) manifest = ExpertPackageReader.Read(e.Source).Manifest;
        }
        catch (Exception ex) when (ex is ExpertPackageException or IOException or UnauthorizedAccessException)
        {
            Log.ManifestUnreadable(_logger, e.Id, ex.Message);
        }
        _manifests[e.Source] = (key, manifest);
        return manifest;
    }

    private static string ManifestKey(ExpertInfo e)
    {
        string path = System.IO.Directory.Exists(e.Source) ? Path.Combine(e.Source, ExpertManifest.FileName) : e.Source;
        var info = new FileInfo(path);
        return info.Exists ? string.Create(CultureInfo.InvariantCulture, $"{info.LastWriteTimeUtc.Ticks}:{info.Length}") : "none";
    }

    /// <summary>Stops following the host's events (the host itself belongs to its container).</summary>
    public ValueTask DisposeAsync()
    {
        _host.Registry.ExpertLoaded -= OnRegistryChanged;
        _host.Registry.ExpertUnloaded -= OnRegistryChanged;
        _host.Registry.ExpertDegraded -= OnRegistryChanged;
        _host.Registry.ExpertRejected -= OnRegistryChanged;
        return ValueTask.CompletedTask;
    }
}
