using System.Text.Json;

namespace Polymath.Service.Protocol;

/// <summary>A JSON-RPC request id: an integer, a string or null (an absent id makes the message a notification).</summary>
internal readonly record struct RequestId(JsonValueKind Kind, long Number, string? Text)
{
    /// <summary>The null id, used when the request's own id could not be read.</summary>
    public static RequestId Null => new(JsonValueKind.Null, 0, null);

    /// <summary>Reads an id value; false for fractions, objects, arrays and booleans.</summary>
    public static bool TryRead(JsonElement e, out RequestId id)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Number when e.TryGetInt64(out long n): id = new(JsonValueKind.Number, n, null); return true;
            case JsonValueKind.String: id = new(JsonValueKind.String, 0, e.GetString()); return true;
            case JsonValueKind.Null: id = Null; return true;
            default: id = Null; return false;
        }
    }

    /// <summary>The id as it would appear in JSON, control characters escaped (for logs).</summary>
    public override string ToString() => Kind switch
    {
        JsonValueKind.Number => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.String => "\"" + LogText.Printable(Text ?? "") + "\"",
        _ => "null",
    };

    /// <summary>Writes the <c>id</c> property.</summary>
    public void Write(Utf8JsonWriter w)
    {
        if (Kind == JsonValueKind.Number) w.WriteNumber("id"u8, Number);
        else if (Kind == JsonValueKind.String) w.WriteString("id"u8, Text);
        else w.WriteNull("id"u8);
    }
}
