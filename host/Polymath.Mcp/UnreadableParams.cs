using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Polymath.Mcp;

/// <summary>
/// Params System.Text.Json parses but will not bind: a string escaping a lone UTF-16 surrogate (<c>"\ud800"</c>, no
/// Unicode text), or a repeated property name (<c>{"name":"a","name":"b"}</c>). The SDK's binding would fail with an
/// internal error (-32603). This incoming message filter catches that failure only (nothing is scanned on the normal
/// path), finds the place, and answers instead: in <c>tools/call</c> a tool error (<c>unknown_op</c> for the name,
/// <c>invalid_args</c> naming the argument), in any other request an invalid-params error (-32602) naming the field.
/// </summary>
internal static class UnreadableParams
{
    /// <summary>The <see cref="MessageContext.Items"/> key under which the filter leaves the tool error's reason.</summary>
    public const string ProblemKey = "polymath.invalid_text";

    /// <summary>The key under which the filter leaves the escaped tool name (as sent) for the tool error.</summary>
    public const string NameKey = "polymath.invalid_name";


    public static McpMessageFilter Filter => next => async (context, cancellationToken) =>
    {
        try
        {
            await next(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException
                                  && context.JsonRpcMessage is JsonRpcRequest { Params: { } p } request && Find(p, "") is { } found)
        {
            if (request.Method != RequestMethods.ToolsCall)
                throw new McpProtocolException($"Invalid params: {found.Where} {found.Problem}", McpErrorCode.InvalidParams);
            // Bind a harmless request instead and leave the reason for the tool (or the unknown-tool handler).
            string? name = ReadName(p);
            bool badName = name is null || found.Where.StartsWith("/name", StringComparison.Ordinal);
            context.Items[ProblemKey] = found.Where.StartsWith("/name", StringComparison.Ordinal) ? $"the tool name {found.Problem} (tools/list shows the current tools)"
                : badName ? $"the tools/call params at {found.Where} {found.Problem}"
                : $"{Describe(found.Where)} {found.Problem}";
            context.Items[NameKey] = badName ? "" : name!;
            request.Params = new JsonObject { ["name"] = badName ? "\\invalid" : name, ["arguments"] = new JsonObject() };
            await next(context, cancellationToken).ConfigureAwait(false);
        }
    };

    private static string? ReadName(JsonNode p)
    {
        try { return p is JsonObject o && o.TryGetPropertyValue("name", out var n) && n is JsonValue v && TryString(v, out var s) ? s : null; }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException) { return null; }
    }

    /// <summary>The tool error the filter prepared for this request, or null.</summary>
    public static CallToolResult? ErrorFor(RequestContext<CallToolRequestParams> request, string outcome)
    {
        if (!request.Items.TryGetValue(ProblemKey, out var problem) || problem is not string reason) return null;
        string op = request.Items.TryGetValue(NameKey, out var n) && n is string name ? name : "";
        return ExpertTool.Error(outcome, reason, op, null);
    }

    private static string Describe(string where) =>
        where.StartsWith("/arguments/", StringComparison.Ordinal) ? $"argument '{where["/arguments/".Length..].Split('/')[0]}' (at {where["/arguments".Length..]})"
        : where == "/arguments" ? "the arguments object" : $"the field at {where}";

    /// <summary>
    /// The first place under <paramref name="node"/> that System.Text.Json cannot bind: a string that is not valid UTF-16,
    /// a property name that is not, or a repeated property name; as a JSON pointer and a phrase saying what is wrong.
    /// </summary>
    internal static (string Where, string Problem)? Find(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                List<KeyValuePair<string, JsonNode?>> members;
                // The reader does not say which name is bad: the pointer names the object.
                try { members = [.. o]; }
                catch (InvalidOperationException) { return (path.Length == 0 ? "/" : path, "has a property name with a lone UTF-16 surrogate, which is not Unicode text"); }
                catch (ArgumentException) { return (path.Length == 0 ? "/" : path, "repeats a property name"); }
                foreach (var (k, v) in members)
                    if (v is not null && Find(v, $"{path}/{k.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}") is { } f)
                        return f;
                return null;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                    if (a[i] is { } item && Find(item, $"{path}/{i}") is { } f)
                        return f;
                return null;
            case JsonValue v when !TryString(v, out _):
                return (path, $"holds a lone UTF-16 surrogate ({(v.TryGetValue<JsonElement>(out var e) ? Shorten(e.GetRawText()) : "a string")}), which is not Unicode text");
            default:
                return null;
        }
    }

    private static bool TryString(JsonValue v, out string? s)
    {
        s = null;
        if (!v.TryGetValue<JsonElement>(out var e)) return true;
        if (e.ValueKind != JsonValueKind.String) return true;
        try { s = e.GetString(); return true; }
        catch (InvalidOperationException) { return false; }
    }

    // Never cut between the two halves of a pair: that would make the message itself invalid text.
    private static string Shorten(string raw)
    {
        if (raw.Length <= 40) return raw;
        int cut = char.IsHighSurrogate(raw[36]) ? 36 : 37;
        return raw[..cut] + "...";
    }
}
