using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Polymath.Mcp;

/// <summary>
/// An op's argument schema (JSON Schema draft 2020-12, the MCP default dialect) and its validator. Precise when the
/// expert's manifest gives a schema; otherwise derived from the arg names in the expert's metadata (any type; no
/// other keys when the names are known). Validation errors name the argument.
/// </summary>
internal sealed class ArgumentSchema
{
    private static readonly EvaluationOptions ListOutput = new() { OutputFormat = OutputFormat.List };
    private readonly JsonSchema _schema;
    private readonly HashSet<string> _properties;
    private readonly IReadOnlyList<string> _required;
    private readonly bool _closed;

    private ArgumentSchema(JsonElement element, bool precise)
    {
        Element = element;
        IsPrecise = precise;
        _schema = JsonSchema.Build(element);
        _properties = element.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.EnumerateObject().Select(x => x.Name).ToHashSet(StringComparer.Ordinal) : [];
        _required = element.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : [];
        _closed = element.TryGetProperty("additionalProperties", out var a) && a.ValueKind == JsonValueKind.False;
    }

    /// <summary>The schema as sent in <c>tools/list</c> (<c>inputSchema</c>).</summary>
    public JsonElement Element { get; }

    /// <summary>True when the schema came from the manifest (typed), false when derived from arg names.</summary>
    public bool IsPrecise { get; }

    /// <summary>
    /// The schema for <paramref name="op"/>: the manifest's when present and valid (<paramref name="problem"/> says why
    /// not otherwise), else one derived from its arg names.
    /// </summary>
    public static ArgumentSchema For(OpDescriptor op, out string? problem)
    {
        problem = null;
        if (op.ArgsSchema is { } given)
        {
            problem = CheckAgainstMetaSchema(given);
            if (problem is null)
            {
                try { return new ArgumentSchema(Normalize(given), precise: true); }
                catch (Exception e) when (e is JsonSchemaException or JsonException or ArgumentException or InvalidOperationException)
                {
                    problem = e.Message;
                }
            }
        }
        return new ArgumentSchema(Derive(op.ArgNames), precise: false);
    }

    /// <summary>Null when <paramref name="schema"/> is a valid draft 2020-12 schema; otherwise the first problem found.</summary>
    public static string? CheckAgainstMetaSchema(JsonElement schema)
    {
        var result = MetaSchemas.Draft202012.Evaluate(schema, ListOutput);
        if (result.IsValid) return null;
        var detail = (result.Details ?? []).FirstOrDefault(d => d.Errors is { Count: > 0 });
        return detail is null ? "does not match the JSON Schema 2020-12 meta-schema"
            : $"at {detail.InstanceLocation}: {detail.Errors!.First().Value}";
    }

    // An argument object is an object: make the type explicit even when the manifest leaves it out.
    private static JsonElement Normalize(JsonElement given)
    {
        if (given.TryGetProperty("type", out _)) return given.Clone();
        var node = JsonNode.Parse(given.GetRawText())!.AsObject();
        var copy = new JsonObject { ["type"] = "object" };
        foreach (var (k, v) in node) copy[k] = v?.DeepClone();
        return JsonSerializer.SerializeToElement(copy);
    }

    private static JsonElement Derive(IReadOnlyList<string> argNames)
    {
        var props = new JsonObject();
        foreach (var name in argNames) props[name] = new JsonObject();
        var schema = new JsonObject { ["type"] = "object", ["properties"] = props };
        // Known arg keys: anything else is a mistake (a typo the expert would silently ignore). Old-style metadata
        // lists no keys, so then anything goes.
        if (argNames.Count > 0) schema["additionalProperties"] = false;
        return JsonSerializer.SerializeToElement(schema);
    }

    /// <summary>Checks an argument object; null when valid, else one line naming the argument.</summary>
    public string? Validate(JsonElement args)
    {
        if (args.ValueKind != JsonValueKind.Object) return "the arguments must be a JSON object";
        foreach (var name in _required)
            if (!args.TryGetProperty(name, out _))
                return $"missing required argument '{name}'";
        if (_closed)
            foreach (var p in args.EnumerateObject())
                if (!_properties.Contains(p.Name))
                    return _properties.Count == 0
                        ? $"unknown argument '{p.Name}': this tool takes no arguments"
                        : $"unknown argument '{p.Name}' (this tool takes: {string.Join(", ", _properties.Order(StringComparer.Ordinal))})";
        var result = _schema.Evaluate(args, ListOutput);
        if (result.IsValid) return null;
        // The deepest failing location says the most ("/date/month" rather than "/date").
        var detail = (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .OrderByDescending(d => d.InstanceLocation.ToString().Length)
            .FirstOrDefault();
        if (detail is null) return "the arguments do not match the tool's input schema";
        string pointer = detail.InstanceLocation.ToString();
        string message = detail.Errors!.First().Value;
        string argument = pointer.Length > 1 ? pointer[1..].Split('/')[0].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal) : "";
        if (argument.Length == 0) return $"the arguments do not match the tool's input schema: {message}";
        return pointer == "/" + argument
            ? $"argument '{argument}': {message}"
            : $"argument '{argument}' (at {pointer}): {message}";
    }
}
