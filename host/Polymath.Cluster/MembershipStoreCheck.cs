using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Polymath.Cluster;

/// <summary>
/// Runs while the host is built, before anything starts: connects to the redis membership store and sends <c>PING</c>, so
/// an unreachable or wrong store is one <see cref="InvalidOperationException"/> naming its address within the timeout,
/// instead of the silo's own retries.
/// </summary>
internal static class MembershipStoreCheck
{
    public static void Run(DnsEndPoint store, int timeoutMs) => RunAsync(store, timeoutMs, CancellationToken.None).GetAwaiter().GetResult();

    private static async Task RunAsync(DnsEndPoint store, int timeoutMs, CancellationToken cancellationToken)
    {
        string where = $"redis://{store.Host}:{store.Port}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(timeoutMs);
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(store, timeout.Token).ConfigureAwait(false);
            await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var reply = new byte[64];
            int n = await socket.ReceiveAsync(reply, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            // "+PONG", or "-NOAUTH …" from a store that wants a password: either way a redis server answers there.
            if (n == 0 || reply[0] is not ((byte)'+' or (byte)'-'))
                throw new InvalidOperationException($"the cluster's membership store {where} is not a redis server (it answered PING with '{Encoding.ASCII.GetString(reply, 0, n).Trim()}')");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"the cluster's membership store {where} did not answer within {timeoutMs} ms (Cluster:StoreTimeoutMs)");
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"the cluster's membership store {where} cannot be reached: {e.Message}", e);
        }
    }
}
