using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Polymath.Host.Experts;

/// <summary>
/// The embedding API: a started host loads the experts directory, keeps it live (hot reload when
/// <see cref="ExpertHostOptions.Watch"/> is set) and answers calls. Dispose to stop. It is also an
/// <see cref="IHostedService"/>: <c>services.AddExperts()</c> registers it so a generic host starts and stops it.
/// </summary>
public sealed class ExpertHost : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly ExpertHostOptions _options;
    private readonly ILogger _logger;
    private ExpertDirectoryWatcher? _watcher;

    internal ExpertHost(ExpertRegistry registry, ExpertHostOptions options, ILogger logger)
    {
        Registry = registry;
        _options = options;
        _logger = logger;
    }

    /// <summary>Starts a builder.</summary>
    public static ExpertHostBuilder CreateBuilder() => new();

    /// <summary>The registry (listing, op table, events, calls).</summary>
    public ExpertRegistry Registry { get; }

    /// <summary>The watcher, when hot reload is on and the host is started.</summary>
    public ExpertDirectoryWatcher? Watcher => _watcher;

    /// <summary>Loads the directory and starts watching it (if configured).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await Registry.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (_options.Watch && _watcher is null)
            _watcher = new ExpertDirectoryWatcher(Registry, _options.DebounceMs, _options.DirectoryCheckMs, _logger);
    }

    /// <summary>Stops watching the directory; loaded experts keep answering until the host is disposed.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _watcher, null)?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Calls an op (see <see cref="ExpertRegistry.Call(string, ReadOnlySpan{byte}, CancellationToken)"/>).</summary>
    public Task<ExpertCallResult> CallAsync(string op, string? argsJson = null, CancellationToken cancellationToken = default) =>
        Registry.CallAsync(op, argsJson, cancellationToken);

    /// <summary>Stops watching and unloads everything.</summary>
    public void Dispose()
    {
        _watcher?.Dispose();
        Registry.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
