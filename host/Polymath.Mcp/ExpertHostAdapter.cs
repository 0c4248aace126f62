using System.Globalization;
using Microsoft.Extensions.Logging;
using Polymath.Experts;
using Polymath.Host.Experts;

namespace Polymath.Mcp;

/// <summary>
/// The only place Polymath.Mcp touches Polymath.Host: over the <see cref="ExpertHost"/> of the host's DI composition
/// (<c>AddExperts</c>; see <see cref="ServiceCollectionExtensions.AddPolymathMcp"/>), turns its listing into
/// <see cref="OpDescriptor"/>s (op descriptions and argument schemas from the manifest the host exposes,
/// <see cref="ExpertInfo.Manifest"/>: no package is read here), forwards
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

    /// <summary>Adapts <paramref name="host"/> (started or not; its events are followed from now on).</summary>
    public ExpertHostAdapter(ExpertHost host, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _host = host;
        _logger = loggerFactory.CreateLogger("Polymath.Mcp");
        host.ExpertLoaded += OnExpertsChanged;
        host.ExpertUnloaded += OnExpertsChanged;
        host.ExpertDegraded += OnExpertsChanged;
        host.ExpertRejected += OnExpertsChanged;
    }

    /// <summary>The experts directory the host serves (full path).</summary>
    public string Directory => _host.Directory;

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

    private void OnExpertsChanged(object? sender, ExpertEventArgs e)
    {
        lock (_gate) _ops = null;
        Changed?.Invoke(this, EventArgs.Empty);
    }

    private List<OpDescriptor> BuildOps()
    {
        var experts = _host.Experts;
        var routes = _host.Ops;
        var ops = new List<OpDescriptor>();
        foreach (var e in experts)
        {
            if (e.Status == ExpertStatus.Unavailable) continue;
            var manifest = e.Manifest;
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
                    Fingerprint = string.Create(CultureInfo.InvariantCulture, $"{e.Id}|{e.Version}|{e.Source}|{e.Status}|{e.RuntimeId}|{e.Reason}|{opManifest?.Description}|{opManifest?.Args?.GetRawText()}"),
                });
            }
            if (manifest is not null)
                foreach (var name in manifest.Ops.Keys)
                    if (!e.Ops.Any(o => o.Name == name))
                        Log.ManifestOpNotAdvertised(_logger, e.Id, name);
        }
        ops.Sort((a, b) => string.CompareOrdinal(a.Op, b.Op));
        return ops;
    }

    /// <summary>Stops following the host's events (the host itself belongs to its container).</summary>
    public ValueTask DisposeAsync()
    {
        _host.ExpertLoaded -= OnExpertsChanged;
        _host.ExpertUnloaded -= OnExpertsChanged;
        _host.ExpertDegraded -= OnExpertsChanged;
        _host.ExpertRejected -= OnExpertsChanged;
        return ValueTask.CompletedTask;
    }
}
