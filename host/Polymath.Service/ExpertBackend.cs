using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polymath.Host;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;

namespace Polymath.Service;

/// <summary>
/// The service's only adapter to the engine (<c>Polymath.Host</c>): builds the runtime catalog from plugins.json, the
/// expert host from the <c>Experts</c> configuration section (hot reload on by default), forwards calls and the
/// registry's load/unload events. Started before the listeners and stopped after them (hosted-service order), so
/// experts are unloaded only once every in-flight call has drained.
/// </summary>
public sealed class ExpertBackend : IHostedService, IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly PolymathHostOptions _hostOptions;
    private readonly ILoggerFactory _loggerFactory;
    private RuntimeCatalog? _catalog;
    private ExpertHost? _host;

    /// <summary>Creates the backend; nothing is loaded until <see cref="StartAsync"/>.</summary>
    public ExpertBackend(IConfiguration configuration, IOptions<PolymathHostOptions> hostOptions, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(hostOptions);
        _configuration = configuration ?? throw new ArgumentNullException(nameof(configuration));
        _hostOptions = hostOptions.Value;
        _loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
    }

    /// <summary>Raised when the registry loads or unloads an expert (hot reload).</summary>
    public event EventHandler<ExpertChange>? Changed;

    private ExpertHost Host => _host ?? throw new InvalidOperationException("the expert backend is not started");

    /// <summary>The platform the experts are bound for (runtime identifier).</summary>
    public string Platform => Host.Registry.Platform.RuntimeIdentifier;

    /// <summary>The experts directory.</summary>
    public string Directory => Host.Registry.Directory;

    /// <summary>Every expert (loaded, degraded, unavailable).</summary>
    public IReadOnlyList<ExpertInfo> Experts => Host.Registry.Experts;

    /// <summary>Idle instances kept warm, summed over experts.</summary>
    public long IdleInstances
    {
        get
        {
            if (_host is not { } host) return 0;
            long n = 0;
            foreach (var e in host.Registry.Experts) n += host.Registry.IdleInstances(e.Id);
            return n;
        }
    }

    /// <summary>Builds the catalog and the expert host and loads the experts directory.</summary>
    /// <exception cref="ArgumentException">An <c>Experts:</c> setting is invalid (the message names it).</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _catalog = RuntimeCatalog.Create(_hostOptions, _configuration, _loggerFactory);
        var host = ExpertHost.CreateBuilder()
            .UseConfiguration(_configuration)
            .UseRuntimeCatalog(_catalog)
            .UseLoggerFactory(_loggerFactory)
            .Build();
        host.Registry.ExpertLoaded += (_, e) => Changed?.Invoke(this, new ExpertChange("loaded", e.Expert, e.Message));
        host.Registry.ExpertUnloaded += (_, e) => Changed?.Invoke(this, new ExpertChange("unloaded", e.Expert, e.Message));
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        _host = host;
    }

    /// <summary>
    /// Calls an op synchronously on the calling thread (the service runs it on a thread-pool work item). Throws
    /// <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public ExpertCallResult Call(string op, string? argsJson, CancellationToken cancellationToken) =>
        Host.Registry.Call(op, argsJson, cancellationToken);

    /// <summary>Unloads every expert and the runtime plugins.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _host?.Dispose();
        _host = null;
        _catalog?.Dispose();
        _catalog = null;
    }

    /// <summary>The result a call gets when its <c>deadline_ms</c> passes first: a timeout limit, like the expert's own.</summary>
    public static ExpertCallResult DeadlineExceeded(string op, int deadlineMs, ulong latencyNs) => new()
    {
        Outcome = ExpertCallOutcome.LimitExceeded, Op = op, Limit = ExpertLimitKind.Timeout, LatencyNs = latencyNs,
        Reason = $"deadline of {deadlineMs} ms exceeded (deadline_ms)",
    };

    /// <summary>Index of an outcome in <see cref="OutcomeNames"/>.</summary>
    public static int OutcomeIndex(ExpertCallResult r) => (int)(r ?? throw new ArgumentNullException(nameof(r))).Outcome;

    /// <summary>Every outcome's JSON name, by <see cref="OutcomeIndex"/>.</summary>
    public static IReadOnlyList<string> OutcomeNames { get; } = Enum.GetValues<ExpertCallOutcome>().Select(ExpertCallResult.Name).ToArray();
}
