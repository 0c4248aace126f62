using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Polymath.Mcp;

/// <summary>
/// One expert op as an MCP tool. Arguments are checked against the tool's input schema first (a violation is a tool
/// error naming the argument); the call then goes through the host exactly like <c>polymath call</c>. A result comes
/// back as structured content (<c>{"value": …, "expert_id", "op", "runtime", "confidence", "latency_ns"}</c>) plus
/// the value as text; every other outcome is a tool error (<c>isError</c>) whose text starts with the outcome name.
/// </summary>
internal sealed class ExpertTool : McpServerTool
{
    private static readonly JsonElement EmptyObject = JsonSerializer.SerializeToElement(new JsonObject());
    private readonly IExpertOpSource _source;
    private readonly ArgumentSchema _schema;
    private readonly ILogger _logger;

    public ExpertTool(OpDescriptor op, ArgumentSchema schema, IExpertOpSource source, ILogger logger)
    {
        Op = op;
        _schema = schema;
        _source = source;
        _logger = logger;
        ProtocolTool = new Tool
        {
            Name = op.Op,
            Title = op.Op,
            Description = Describe(op, schema.IsPrecise),
            InputSchema = schema.Element,
            Annotations = new ToolAnnotations { ReadOnlyHint = true, IdempotentHint = true, DestructiveHint = false, OpenWorldHint = false },
        };
    }

    /// <summary>The op this tool calls.</summary>
    public OpDescriptor Op { get; }

    /// <inheritdoc />
    public override Tool ProtocolTool { get; }

    /// <inheritdoc />
    public override IReadOnlyList<object> Metadata => [];

    /// <summary>The description a model reads: what the op does, which expert serves it, and whether it is degraded.</summary>
    public static string Describe(OpDescriptor op, bool preciseSchema)
    {
        var sb = new StringBuilder();
        if (op.Degraded is not null) sb.Append("[degraded: ").Append(op.Degraded).Append("] ");
        sb.Append(op.Description.Length > 0 ? op.Description : $"Op '{op.Op}'");
        if (!sb.ToString().EndsWith('.')) sb.Append('.');
        sb.Append(" Expert '").Append(op.ExpertId).Append('\'');
        if (op.ExpertDescription.Length > 0) sb.Append(": ").Append(op.ExpertDescription);
        sb.Append('.');
        if (!preciseSchema && op.ArgNames.Count > 0) sb.Append(" Argument types are not declared; the expert reads: ").Append(string.Join(", ", op.ArgNames)).Append('.');
        return sb.ToString();
    }

    /// <inheritdoc />
    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (UnreadableParams.ErrorFor(request, "invalid_args") is { } invalidText) return invalidText;
        JsonElement args = request.Params?.Arguments is { } dict ? ToObject(dict) : EmptyObject;
        if (_schema.Validate(args) is { } problem)
            return Error("invalid_args", $"{problem}", Op.Op, null);
        var outcome = await _source.CallAsync(Op.Op, args.GetRawText(), cancellationToken).ConfigureAwait(false);
        if (!outcome.IsResult)
        {
            Log.ToolCallFailed(_logger, Op.Op, outcome.OutcomeName, outcome.Reason ?? "");
            return Error(outcome.OutcomeName, outcome.Reason ?? outcome.OutcomeName, Op.Op, outcome);
        }
        var value = outcome.Value ?? default;
        string text = value.ValueKind == JsonValueKind.Undefined ? "null" : value.GetRawText();
        var structured = new JsonObject
        {
            ["value"] = value.ValueKind == JsonValueKind.Undefined ? null : JsonNode.Parse(text),
            ["expert_id"] = outcome.ExpertId,
            ["op"] = outcome.Op,
            ["runtime"] = outcome.RuntimeId,
            ["confidence"] = outcome.Confidence,
            ["latency_ns"] = outcome.LatencyNs,
        };
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text }],
            StructuredContent = JsonSerializer.SerializeToElement(structured),
            IsError = false,
        };
    }

    /// <summary>A tool error: <c>isError</c> with "outcome: reason" as text and the same facts as structured content.</summary>
    public static CallToolResult Error(string outcome, string reason, string op, OpCallOutcome? call)
    {
        var structured = new JsonObject { ["outcome"] = outcome, ["op"] = op, ["reason"] = reason };
        if (call?.ExpertId is { } expert) structured["expert_id"] = expert;
        if (call?.Limit is { } limit) structured["limit"] = limit;
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = $"{outcome}: {reason}" }],
            StructuredContent = JsonSerializer.SerializeToElement(structured),
            IsError = true,
        };
    }

    private static JsonElement ToObject(IDictionary<string, JsonElement> args)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var (k, v) in args)
            {
                w.WritePropertyName(k);
                v.WriteTo(w);
            }
            w.WriteEndObject();
        }
        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }
}
