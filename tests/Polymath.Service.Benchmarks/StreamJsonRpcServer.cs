using System.Net.Sockets;
using System.Text.Json;
using Polymath.Host.Experts;
using StreamJsonRpc;

namespace Polymath.Service.Benchmarks;

/// <summary>
/// The service's <c>call</c> method on StreamJsonRpc (header-delimited framing, System.Text.Json formatter) over a Unix
/// socket, calling the same registry: what the service would be with Microsoft's JSON-RPC library instead of its own
/// Pipelines code. Same wire protocol, so the same client measures both.
/// </summary>
internal sealed class StreamJsonRpcServer(ExpertHost host, string socketPath) : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly List<JsonRpc> _connections = [];
    private Task? _accept;

    public void Start()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(64);
        _accept = Task.Run(async () =>
        {
            while (true)
            {
                Socket socket;
                try { socket = await _listener.AcceptAsync(); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
                var stream = new NetworkStream(socket, ownsSocket: true);
                var rpc = new JsonRpc(new HeaderDelimitedMessageHandler(stream, stream, new SystemTextJsonFormatter()));
                rpc.AddLocalRpcTarget(new Target(host), new JsonRpcTargetOptions { AllowNonPublicInvocation = true });
                lock (_connections) _connections.Add(rpc);
                rpc.StartListening();
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        if (_accept is not null) await _accept;
        lock (_connections) foreach (var c in _connections) c.Dispose();
        File.Delete(socketPath);
    }

    private sealed class Target(ExpertHost host)
    {
        [JsonRpcMethod("call", UseSingleObjectParameterDeserialization = true)]
        public JsonElement Call(CallParams p, CancellationToken cancellationToken)
        {
            var r = host.Call(p.op, p.args.ValueKind == JsonValueKind.Undefined ? null : p.args.GetRawText(), cancellationToken);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
            using (var w = new Utf8JsonWriter(buffer))
            {
                ExpertJson.WriteCallResult(w, r);
            }
            using var doc = JsonDocument.Parse(buffer.WrittenMemory);
            return doc.RootElement.Clone();
        }
    }

#pragma warning disable IDE1006, CA1812 // wire names; instantiated by the formatter
    internal sealed class CallParams
    {
        public string op { get; set; } = "";
        public JsonElement args { get; set; }
    }
#pragma warning restore IDE1006, CA1812
}
