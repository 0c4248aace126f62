using System.Runtime.InteropServices;
using System.Text.Json;
using Polymath.Host.Experts;

namespace Polymath.Service.Protocol;

/// <summary>
/// A call's args as the request carried them: <c>args</c>, a value of the parsed request (its UTF-8 bytes go to the
/// registry as they are, parsed once), or <c>args_text</c>, a JSON text in a string (checked by the registry), or neither
/// (<c>{}</c>).
/// </summary>
internal readonly record struct CallArgs(JsonElement Value, string? Text)
{
    /// <summary>What the args hold in memory while a call waits (counted against the queue limits).</summary>
    public long Bytes => Text is not null ? 2L * Text.Length : Value.ValueKind == JsonValueKind.Undefined ? 0 : JsonMarshal.GetRawUtf8Value(Value).Length;

    /// <summary>The args as JSON text (the raw request bytes decoded), or null when none were given: for the cluster dispatcher, which outlives the request buffer.</summary>
    public string? ToJsonText() => Text ?? (Value.ValueKind == JsonValueKind.Undefined ? null : Value.GetRawText());

    /// <summary>The same args, independent of the request's document (which is returned when its handling ends): for a queued call.</summary>
    public CallArgs Detach() => Value.ValueKind == JsonValueKind.Undefined ? this : new CallArgs(Value.Clone(), null);

    /// <summary>Calls <paramref name="op"/> with these args: the one seam between the protocol and the registry.</summary>
    public ExpertCallResult Call(ExpertRegistry registry, string op, CancellationToken cancellationToken) =>
        Text is not null ? registry.Call(op, Text, cancellationToken) : registry.Call(op, Value, cancellationToken);
}
