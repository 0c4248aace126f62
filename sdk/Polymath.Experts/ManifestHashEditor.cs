using System.Text;
using System.Text.Json;

namespace Polymath.Experts;

/// <summary>
/// Puts payload hashes into a manifest's text without rewriting anything else: the author's comments, order and
/// layout stay as written. Only the <c>sha256</c> string of each payload object changes (or is added after its
/// <c>path</c> when missing).
/// </summary>
internal static class ManifestHashEditor
{
    /// <summary>
    /// Returns <paramref name="text"/> (a manifest that <see cref="ExpertManifest.Parse"/> accepted) with the
    /// <c>sha256</c> of each payload set from <paramref name="hashes"/>, keyed by field (<c>payloads.wasm</c>,
    /// <c>payloads.native.&lt;rid&gt;</c>).
    /// </summary>
    public static string WithHashes(string text, IReadOnlyDictionary<string, string> hashes)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var edits = new List<(long Start, long End, string Text)>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = StrictJson.MaxDepth,
        });
        var path = new List<string>();          // the property names leading to the current object
        string? pendingName = null;              // the property whose value comes next
        long pathEnd = -1, shaStart = -1, shaEnd = -1;
        string? current = null;                  // the payload field whose object is open, if any
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    pendingName = reader.GetString();
                    break;
                case JsonTokenType.StartObject:
                    if (pendingName is not null) path.Add(pendingName);
                    else if (reader.CurrentDepth > 0) path.Add("[]");
                    pendingName = null;
                    string key = string.Join('.', path);
                    if (hashes.ContainsKey(key) && IsPayloadObject(path))
                    {
                        current = key;
                        pathEnd = shaStart = shaEnd = -1;
                    }
                    break;
                case JsonTokenType.EndObject:
                    if (current is not null && string.Join('.', path) == current)
                    {
                        string quoted = $"\"{hashes[current]}\"";  // 64 hex digits: nothing to escape
                        if (shaStart >= 0) edits.Add((shaStart, shaEnd, quoted));
                        else if (pathEnd >= 0) edits.Add((pathEnd, pathEnd, $", \"sha256\": {quoted}"));
                        current = null;
                    }
                    if (path.Count > 0) path.RemoveAt(path.Count - 1);
                    break;
                case JsonTokenType.StartArray:
                    if (pendingName is not null) path.Add(pendingName);
                    else if (reader.CurrentDepth > 0) path.Add("[]");
                    pendingName = null;
                    break;
                case JsonTokenType.EndArray:
                    if (path.Count > 0) path.RemoveAt(path.Count - 1);
                    break;
                default:
                    if (current is not null && string.Join('.', path) == current)
                    {
                        if (pendingName == "path") pathEnd = reader.BytesConsumed;
                        else if (pendingName == "sha256")
                        {
                            shaStart = reader.TokenStartIndex;
                            shaEnd = reader.BytesConsumed;
                        }
                    }
                    pendingName = null;
                    break;
            }
        }
        if (edits.Count == 0) return text;
        var sb = new StringBuilder(text.Length + 80 * edits.Count);
        long at = 0;
        foreach (var (start, end, replacement) in edits.OrderBy(e => e.Start))
        {
            sb.Append(Encoding.UTF8.GetString(utf8, (int)at, (int)(start - at)));
            sb.Append(replacement);
            at = end;
        }
        sb.Append(Encoding.UTF8.GetString(utf8, (int)at, utf8.Length - (int)at));
        return sb.ToString();
    }

    private static bool IsPayloadObject(List<string> path) =>
        (path.Count == 2 && path[0] == "payloads" && path[1] == "wasm")
        || (path.Count == 3 && path[0] == "payloads" && path[1] == "native");
}
