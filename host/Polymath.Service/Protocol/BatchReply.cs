using System.Buffers;

namespace Polymath.Service.Protocol;

/// <summary>
/// The replies of one JSON-RPC batch (an array of requests), collected as its members finish in any order and sent as
/// one array once the last member is done. Notifications in the batch get no reply; a batch of notifications only gets
/// nothing at all (JSON-RPC 2.0, section 6). The batch holds one in-flight slot per member until its reply is flushed.
/// </summary>
internal sealed class BatchReply
{
    private readonly ArrayBufferWriter<byte> _body = new(256);
    private int _remaining;
    private int _replies;

    public BatchReply(int count)
    {
        Count = count;
        _remaining = count;
        _body.Write("["u8);
    }

    /// <summary>Members in the batch (= in-flight slots it holds).</summary>
    public int Count { get; }

    /// <summary>True when at least one member replied.</summary>
    public bool HasReplies { get { lock (_body) return _replies > 0; } }

    /// <summary>The array of replies (valid once the last member is done).</summary>
    public ReadOnlySpan<byte> Body => _body.WrittenSpan;

    /// <summary>Adds one member's reply (copied); true when it was the last member outstanding.</summary>
    public bool Add(ReadOnlySpan<byte> reply)
    {
        lock (_body)
        {
            if (_replies++ > 0) _body.Write(","u8);
            _body.Write(reply);
            return Done();
        }
    }

    /// <summary>A member that gets no reply (a notification) is done; true when it was the last member outstanding.</summary>
    public bool Skip()
    {
        lock (_body) return Done();
    }

    private bool Done()
    {
        if (--_remaining > 0) return false;
        if (_replies > 0) _body.Write("]"u8);
        return true;
    }
}
