using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polymath.Host.Experts;

namespace Polymath.Service.Protocol;

/// <summary>
/// The listeners (a Unix domain socket and/or TCP) and their connections, as a hosted service: registered after the
/// host's <see cref="ExpertHost"/> (<c>AddExperts</c>), so it starts once the experts are loaded; on stop it closes the
/// listeners and drains every connection (in-flight calls finish and are answered, within
/// <see cref="ServiceOptions.DrainTimeoutMs"/>) before the expert host stops and is disposed.
/// </summary>
public sealed class JsonRpcServer : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<int, (JsonRpcConnection Connection, Task Task)> _connections = new();
    private readonly List<ListenerState> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly CancellationTokenSource _stopping = new();
    private byte[]? _tokenHash;
    private string? _socketPath;
    private Timer? _idleTimer;
    private int _nextId;
    private volatile bool _draining;

    /// <summary>Creates the server (nothing listens until <see cref="StartAsync"/>).</summary>
    public JsonRpcServer(IOptions<ServiceOptions> options, ExpertHost host, ServiceMetrics metrics, ILogger<JsonRpcServer> logger, IExpertCallDispatcher? dispatcher = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        Host = host ?? throw new ArgumentNullException(nameof(host));
        Dispatcher = dispatcher ?? new LocalCallDispatcher(host);
        Metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        Logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    internal ServiceOptions Options { get; }
    /// <summary>The experts: listing, events, and the calls of the default dispatcher.</summary>
    internal ExpertHost Host { get; }
    /// <summary>Where every call goes: the host in process, or the cluster.</summary>
    internal IExpertCallDispatcher Dispatcher { get; }
    /// <summary>Cancelled when the server stops.</summary>
    internal CancellationToken Stopping => _stopping.Token;
    internal ServiceMetrics Metrics { get; }
    internal ILogger Logger { get; }

    /// <summary>The guest threads (created at start).</summary>
    internal GuestScheduler Guests { get; private set; } = null!;

    /// <summary>The Unix socket path listened on, or null.</summary>
    public string? SocketPath => _socketPath;

    /// <summary>The TCP endpoint listened on (with the real port when 0 was asked), or null.</summary>
    public IPEndPoint? TcpEndPoint { get; private set; }

    /// <summary>Binds the listeners and starts accepting.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The token as the validator read it at start (read once; options built without the validator read it here).
        _tokenHash = Options.TokenHash(out string? tokenProblem);
        if (tokenProblem is not null) throw new OptionsValidationException(ServiceOptions.SectionName, typeof(ServiceOptions), [$"{ServiceOptions.SectionName}:TokenFile: {tokenProblem}"]);
        Guests = new GuestScheduler(Options.EffectiveGuestThreads, Options.MaxQueuedCalls, Options.MaxQueuedBytes);
        Logger.GuestThreads(Guests.Threads);
        string socketPath = Options.SocketPath ?? ServiceOptions.DefaultSocketPath;
        if (socketPath.Length > 0 && !OperatingSystem.IsWindows())
        {
            var listener = new ListenerState("unix socket", UnixSocketListener.Bind(socketPath, Logger), RequiresToken: false);
            _socketPath = socketPath;
            _listeners.Add(listener);
            _acceptLoops.Add(AcceptLoopAsync(listener));
            Logger.ListeningUnix(socketPath);
        }
        if (Options.TcpPort is int port)
        {
            var address = IPAddress.Parse(Options.TcpAddress);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(); // the system maximum backlog (somaxconn): bursts of connects wait instead of failing
            TcpEndPoint = (IPEndPoint)socket.LocalEndPoint!;
            var listener = new ListenerState("tcp", socket, RequiresToken: _tokenHash is not null);
            _listeners.Add(listener);
            _acceptLoops.Add(AcceptLoopAsync(listener));
            if (!IPAddress.IsLoopback(address)) Logger.NonLoopback(address.ToString(), Options.TokenFile!);
            Logger.ListeningTcp(TcpEndPoint.ToString());
        }
        Host.ExpertLoaded += OnExpertLoaded;
        Host.ExpertUnloaded += OnExpertUnloaded;
        // One timer for idle connections and handshake deadlines (its callback is short; guests never hold the pool).
        int period = Math.Clamp(Options.HandshakeTimeoutMs / 4, 50, 1000);
        if (Options.IdleTimeoutMs > 0) period = Math.Min(period, Math.Clamp(Options.IdleTimeoutMs / 4, 50, 5000));
        _idleTimer = new Timer(_ => CloseIdleConnections(), null, period, period);
        return Task.CompletedTask;
    }

    // Limits are per listener: connections that flood one (say, idle TCP connections) never lock out the other.
    private async Task AcceptLoopAsync(ListenerState listener)
    {
        int maxPending = Options.EffectiveMaxPendingConnections;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await listener.Socket.AcceptAsync(_stopping.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { if (_stopping.IsCancellationRequested) return; continue; }
            if (socket.ProtocolType == ProtocolType.Tcp) socket.NoDelay = true;
            if (_draining)
            {
                Reject(socket, RpcErrorCodes.ShuttingDown, "the service is shutting down");
                continue;
            }
            if (Volatile.Read(ref listener.Connections) >= Options.MaxConnections)
            {
                Logger.TooManyConnections(listener.Name, Options.MaxConnections);
                Reject(socket, RpcErrorCodes.TooManyConnections, $"the service has reached its maximum of {Options.MaxConnections} connections on its {listener.Name} (Service:MaxConnections)");
                continue;
            }
            if (Volatile.Read(ref listener.Pending) >= maxPending)
            {
                Logger.TooManyPending(listener.Name, maxPending);
                Reject(socket, RpcErrorCodes.TooManyConnections,
                    $"{maxPending} connections on the service's {listener.Name} have not sent a request yet (Service:MaxPendingConnections); try again later");
                continue;
            }
            Interlocked.Increment(ref listener.Connections);
            Interlocked.Increment(ref listener.Pending);
            int id = Interlocked.Increment(ref _nextId);
            var connection = new JsonRpcConnection(this, socket, id, listener);
            Metrics.ConnectionChanged(1);
            if (Logger.IsEnabled(LogLevel.Debug)) Logger.ConnectionOpened(id, socket.RemoteEndPoint?.ToString() is { Length: > 0 } r ? r : "unix socket");
            var task = Task.Run(async () =>
            {
                try { await connection.RunAsync().ConfigureAwait(false); }
                finally
                {
                    _connections.TryRemove(id, out _);
                    Interlocked.Decrement(ref listener.Connections);
                    Metrics.ConnectionChanged(-1);
                }
            });
            _connections[id] = (connection, task);
        }
    }

    private static void Reject(Socket socket, int code, string message)
    {
        try
        {
            var body = Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{{\"code\":{code},\"message\":{JsonSerializer.Serialize(message)}}}}}");
            socket.Send(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
            socket.Send(body);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException) { }
        finally { socket.Dispose(); }
    }

    private void CloseIdleConnections()
    {
        // A timer callback must never throw (it would end the process): a connection closing meanwhile is skipped.
        foreach (var (connection, _) in _connections.Values)
        {
            try
            {
                if (connection.IsPending && connection.AgeMs > Options.HandshakeTimeoutMs) connection.CloseHandshake(Options.HandshakeTimeoutMs);
                else if (Options.IdleTimeoutMs > 0 && connection.InFlight == 0 && connection.IdleMs > Options.IdleTimeoutMs) connection.CloseIdle(Options.IdleTimeoutMs);
            }
            catch (InvalidOperationException) { }
        }
    }

    private void OnExpertLoaded(object? sender, ExpertEventArgs change) => Notify("experts.loaded", change);

    private void OnExpertUnloaded(object? sender, ExpertEventArgs change) => Notify("experts.unloaded", change);

    private void Notify(string method, ExpertEventArgs change)
    {
        foreach (var (connection, _) in _connections.Values)
            connection.Notify(method, w =>
            {
                w.WriteStartObject();
                w.WriteString("message"u8, change.Message);
                w.WritePropertyName("expert"u8);
                ExpertJson.WriteExpert(w, change.Expert);
                w.WriteEndObject();
            });
    }

    internal bool CheckToken(string token)
    {
        if (_tokenHash is null) return true;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim()));
        return CryptographicOperations.FixedTimeEquals(hash, _tokenHash);
    }

    internal void WriteHealth(Utf8JsonWriter w)
    {
        var experts = Host.Experts;
        w.WriteStartObject();
        w.WriteString("status"u8, _draining ? "draining" : "serving");
        w.WriteString("version"u8, typeof(JsonRpcServer).Assembly.GetName().Version?.ToString(3));
        w.WriteString("platform"u8, Host.Platform.RuntimeIdentifier);
        w.WriteString("directory"u8, Host.Directory);
        w.WriteStartObject("experts"u8);
        w.WriteNumber("total"u8, experts.Count);
        w.WriteNumber("bound"u8, experts.Count(e => e.Status == ExpertStatus.Bound));
        w.WriteNumber("degraded"u8, experts.Count(e => e.Status == ExpertStatus.Degraded));
        w.WriteNumber("unavailable"u8, experts.Count(e => e.Status == ExpertStatus.Unavailable));
        w.WriteEndObject();
        w.WriteNumber("connections"u8, Metrics.Connections);
        w.WriteNumber("in_flight"u8, Metrics.InFlight);
        w.WriteStartObject("guests"u8);
        w.WriteNumber("threads"u8, Guests.Threads);
        w.WriteNumber("running"u8, Guests.Running);
        w.WriteNumber("queued"u8, Guests.Queued);
        w.WriteNumber("queued_bytes"u8, Guests.QueuedBytes);
        w.WriteEndObject();
        WriteCluster(w);
        w.WriteEndObject();
    }

    internal void WriteExperts(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("platform"u8, Host.Platform.RuntimeIdentifier);
        w.WriteString("directory"u8, Host.Directory);
        w.WriteStartArray("experts"u8);
        foreach (var e in Host.Experts) ExpertJson.WriteExpert(w, e);
        w.WriteEndArray();
        WriteCluster(w);
        w.WriteEndObject();
    }

    // serve --cluster: which silo is in what state and serves which expert versions (IClusterStatus).
    private void WriteCluster(Utf8JsonWriter w)
    {
        if (Dispatcher is not IClusterStatus cluster) return;
        w.WritePropertyName("cluster"u8);
        cluster.WriteCluster(w);
    }

    /// <summary>Stops accepting, drains every connection (in-flight calls are answered), then returns.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        Logger.Draining(Metrics.InFlight, _connections.Count, Options.DrainTimeoutMs);
        _stopping.Cancel();
        foreach (var l in _listeners) l.Socket.Dispose();
        _idleTimer?.Dispose();
        Host.ExpertLoaded -= OnExpertLoaded;
        Host.ExpertUnloaded -= OnExpertUnloaded;
        try { await Task.WhenAll(_acceptLoops).ConfigureAwait(false); } catch (OperationCanceledException) { }
        foreach (var (connection, _) in _connections.Values) connection.BeginDrain();
        await Task.WhenAll(_connections.Values.Select(c => c.Task)).WaitAsync(cancellationToken).ConfigureAwait(false);
        Guests.Stop(2000);
        if (_socketPath is not null && !OperatingSystem.IsWindows()) UnixSocketListener.Remove(_socketPath);
        Logger.Stopped();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        _idleTimer?.Dispose();
        foreach (var l in _listeners) l.Socket.Dispose();
        Guests?.Dispose();
    }
}

/// <summary>One listening socket and its own connection counts (limits apply per listener).</summary>
internal sealed record ListenerState(string Name, Socket Socket, bool RequiresToken)
{
    /// <summary>Open connections from this listener.</summary>
    public int Connections;

    /// <summary>Of those, connections that have not yet sent a complete request (or authenticated, where required).</summary>
    public int Pending;
}
