using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace Polymath.Mcp;

/// <summary>
/// Keeps an MCP tool collection equal to the source's callable ops: one tool per op whose name is a valid MCP tool
/// name. On every change of the source it adds, replaces and removes tools in one deferred batch, so each MCP
/// session gets a single <c>notifications/tools/list_changed</c> per reload (none when nothing changed).
/// </summary>
public sealed partial class ExpertToolSet : IDisposable
{
    private readonly IExpertOpSource _source;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _warnedNames = new(StringComparer.Ordinal);

    /// <summary>Creates the set and fills <see cref="Tools"/> from the source's current ops.</summary>
    public ExpertToolSet(IExpertOpSource source, ILogger logger)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _source.Changed += OnChanged; // first, so a change during the initial fill is not missed
        Sync();
    }

    /// <summary>The tools (give it to <see cref="McpServerOptions.ToolCollection"/>; the SDK announces its changes).</summary>
    public McpServerPrimitiveCollection<McpServerTool> Tools { get; } = new(StringComparer.Ordinal);

    /// <summary>MCP's tool-name rule (2025-11-25): 1 to 128 of A-Z, a-z, 0-9, '_', '-', '.'.</summary>
    public static bool IsValidToolName(string name) => ToolName().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex ToolName();

    private void OnChanged(object? sender, EventArgs e) => Sync();

    /// <summary>Brings <see cref="Tools"/> up to date with the source.</summary>
    public void Sync()
    {
        lock (_gate)
        {
            var ops = _source.Ops;
            var wanted = new Dictionary<string, OpDescriptor>(StringComparer.Ordinal);
            foreach (var op in ops)
            {
                if (!IsValidToolName(op.Op))
                {
                    if (_warnedNames.Add(op.Op)) Log.OpNameNotAToolName(_logger, op.Op, op.ExpertId);
                    continue;
                }
                wanted[op.Op] = op;
            }
            int added = 0, removed = 0;
            using (Tools.DeferChangedEvents())
            {
                foreach (var tool in Tools.ToArray())
                {
                    if (tool is ExpertTool et && wanted.TryGetValue(et.Op.Op, out var op) && op.Fingerprint == et.Op.Fingerprint) continue;
                    Tools.Remove(tool);
                    removed++;
                }
                foreach (var op in wanted.Values)
                {
                    if (Tools.TryGetPrimitive(op.Op, out _)) continue;
                    var schema = ArgumentSchema.For(op, out var problem);
                    if (problem is not null) Log.InvalidArgsSchema(_logger, op.Op, op.ExpertId, problem);
                    Tools.Add(new ExpertTool(op, schema, _source, _logger));
                    added++;
                }
            }
            if (added + removed > 0) Log.ToolsChanged(_logger, added, removed, Tools.Count);
        }
    }

    /// <summary>Stops following the source.</summary>
    public void Dispose() => _source.Changed -= OnChanged;
}
