using System.Text;
using System.Text.Json;
using System.Runtime.InteropServices;
using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Service.Protocol;

/// <summary>
/// A call's args as the request carried them, reduced to checked UTF-8 JSON text once: <c>args</c>, a value of the parsed
/// request (its own bytes, UTF-8 checked here since a parse does not check it), or <c>args_text</c>, a JSON text in a
/// string (encoded and parsed here), or neither (<c>{}</c>). What goes to the <see cref="IExpertCallDispatcher"/>.
/// </summary>
internal static class CallArgs
{
    private static readonly JsonReaderOptions Strict = new() { CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>The raw UTF-8 of <c>params.args</c>, or null with <paramref name="error"/> when it is not valid UTF-8.</summary>
    public static bool TryFromValue(JsonElement args, out ReadOnlySpan<byte> utf8, out string? error)
    {
        utf8 = JsonMarshal.GetRawUtf8Value(args);
        error = System.Text.Unicode.Utf8.IsValid(utf8) ? null : "params.args is not valid UTF-8";
        return error is null;
    }

    /// <summary>
    /// <c>params.args_text</c> as UTF-8 JSON text (white space only means <c>{}</c>), or the <c>invalid_args</c> outcome of
    /// <paramref name="op"/> when it is not JSON.
    /// </summary>
    public static byte[] FromText(string text, string op, out ExpertCallResult? invalid)
    {
        invalid = null;
        if (string.IsNullOrWhiteSpace(text)) return "{}"u8.ToArray();
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        try
        {
            var reader = new Utf8JsonReader(utf8, Strict);
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            invalid = new ExpertCallResult { Outcome = ExpertCallOutcome.InvalidArgs, Op = op, Reason = $"args are not valid JSON: {e.Message}" };
        }
        return utf8;
    }
}
