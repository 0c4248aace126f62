using System.Text.Json;

namespace Polymath.Conformance;

/// <summary>The command types of a spec script (wast2json's <c>type</c> field).</summary>
public enum WastCommandKind
{
    /// <summary>A type this runner does not know; executing it is a failure.</summary>
    Unknown,
    /// <summary><c>module</c>: instantiate and make current (and named, with <c>name</c>).</summary>
    Module,
    /// <summary><c>register</c>: make a module's exports importable under <c>as</c>.</summary>
    Register,
    /// <summary><c>action</c>: invoke or get, must not trap.</summary>
    Action,
    /// <summary><c>assert_return</c>.</summary>
    AssertReturn,
    /// <summary><c>assert_trap</c> (of an action).</summary>
    AssertTrap,
    /// <summary><c>assert_exhaustion</c>: the call stack limit is hit.</summary>
    AssertExhaustion,
    /// <summary><c>assert_invalid</c>: the module decodes but does not validate.</summary>
    AssertInvalid,
    /// <summary><c>assert_malformed</c>: the module does not decode.</summary>
    AssertMalformed,
    /// <summary><c>assert_unlinkable</c>: imports are missing or do not match.</summary>
    AssertUnlinkable,
    /// <summary><c>assert_uninstantiable</c>: instantiation traps (segment or start function).</summary>
    AssertUninstantiable,
}

/// <summary>The action types (<c>invoke</c>, <c>get</c>).</summary>
public enum WastActionKind
{
    /// <summary>Call an exported function.</summary>
    Invoke,
    /// <summary>Read an exported global.</summary>
    Get,
}

/// <summary>An action of a command.</summary>
/// <param name="Kind">Invoke or get.</param>
/// <param name="Module">The named module (<c>$M</c>), or null for the current one.</param>
/// <param name="Field">The export name.</param>
/// <param name="Arguments">Invoke arguments.</param>
public sealed record WastAction(WastActionKind Kind, string? Module, string Field, IReadOnlyList<WastValue> Arguments)
{
    /// <inheritdoc />
    public override string ToString() =>
        Kind == WastActionKind.Get
            ? $"get {(Module is null ? "" : Module + " ")}\"{Field}\""
            : $"invoke {(Module is null ? "" : Module + " ")}\"{Field}\"({string.Join(", ", Arguments)})";
}

/// <summary>One command of a converted spec script.</summary>
public sealed record WastCommand
{
    /// <summary>The command type.</summary>
    public required WastCommandKind Kind { get; init; }

    /// <summary>The type as written (kept for unknown types).</summary>
    public required string TypeName { get; init; }

    /// <summary>The line in the .wast file.</summary>
    public required int Line { get; init; }

    /// <summary>For module: the module's name (<c>$M</c>); for register: the module registered (null = current).</summary>
    public string? Name { get; init; }

    /// <summary>The module file (beside the JSON), for module and module assertions.</summary>
    public string? FileName { get; init; }

    /// <summary><c>binary</c> or <c>text</c> for module assertions; null when not given.</summary>
    public string? ModuleType { get; init; }

    /// <summary>The expected message (trap or error text).</summary>
    public string? Text { get; init; }

    /// <summary>For register: the import module name.</summary>
    public string? As { get; init; }

    /// <summary>The action, for action, assert_return, assert_trap and assert_exhaustion.</summary>
    public WastAction? Action { get; init; }

    /// <summary>Expected results (assert_return) or result types (assert_trap).</summary>
    public IReadOnlyList<WastValue> Expected { get; init; } = [];

    /// <summary>When the command could not be read (e.g. a value does not parse): why. Executing it is a failure.</summary>
    public string? ParseError { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"line {Line}: {TypeName}{(Action is null ? "" : " " + Action)}{(FileName is null ? "" : " " + FileName)}";
}

/// <summary>
/// A converted spec script: the commands of wast2json's JSON file, and the folder holding its module files.
/// </summary>
public sealed class WastScript
{
    private WastScript(string name, string directory, IReadOnlyList<WastCommand> commands)
    {
        Name = name;
        Directory = directory;
        Commands = commands;
    }

    /// <summary>The script's name (the .wast file name).</summary>
    public string Name { get; }

    /// <summary>The folder of the module files (may be empty for scripts parsed from text).</summary>
    public string Directory { get; }

    /// <summary>The commands in order.</summary>
    public IReadOnlyList<WastCommand> Commands { get; }

    /// <summary>Reads a wast2json JSON file.</summary>
    /// <exception cref="FormatException">The file is not a wast2json command list.</exception>
    public static WastScript Load(string jsonPath, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(jsonPath);
        var text = File.ReadAllText(jsonPath);
        return Parse(text, name ?? Path.GetFileNameWithoutExtension(jsonPath) + ".wast", Path.GetDirectoryName(Path.GetFullPath(jsonPath)) ?? "");
    }

    /// <summary>
    /// Parses wast2json's JSON. Structural errors (not JSON, no <c>commands</c> array, a command without
    /// <c>type</c>/<c>line</c>) throw; errors inside one command (a value that does not parse) are kept in that
    /// command's <see cref="WastCommand.ParseError"/> so the rest of the script still runs.
    /// </summary>
    /// <exception cref="FormatException">The text is not a wast2json command list.</exception>
    public static WastScript Parse(string json, string name, string directory = "")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"{name}: not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("commands", out var commands) || commands.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{name}: expected an object with a 'commands' array (wast2json output).");
            var list = new List<WastCommand>(commands.GetArrayLength());
            int index = 0;
            foreach (var element in commands.EnumerateArray())
            {
                list.Add(ParseCommand(element, name, index));
                index++;
            }
            return new WastScript(name, directory, list);
        }
    }

    private static WastCommand ParseCommand(JsonElement element, string scriptName, int index)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new FormatException($"{scriptName}: command #{index} is not an object.");
        var typeName = GetString(element, "type") ?? throw new FormatException($"{scriptName}: command #{index} has no 'type'.");
        if (!element.TryGetProperty("line", out var lineElement) || !lineElement.TryGetInt32(out var line))
            throw new FormatException($"{scriptName}: command #{index} ({typeName}) has no integer 'line'.");

        var kind = typeName switch
        {
            "module" => WastCommandKind.Module,
            "register" => WastCommandKind.Register,
            "action" => WastCommandKind.Action,
            "assert_return" => WastCommandKind.AssertReturn,
            "assert_trap" => WastCommandKind.AssertTrap,
            "assert_exhaustion" => WastCommandKind.AssertExhaustion,
            "assert_invalid" => WastCommandKind.AssertInvalid,
            "assert_malformed" => WastCommandKind.AssertMalformed,
            "assert_unlinkable" => WastCommandKind.AssertUnlinkable,
            "assert_uninstantiable" => WastCommandKind.AssertUninstantiable,
            _ => WastCommandKind.Unknown,
        };

        string? parseError = kind == WastCommandKind.Unknown ? $"unknown command type '{typeName}'" : null;
        WastAction? action = null;
        IReadOnlyList<WastValue> expected = [];
        try
        {
            if (element.TryGetProperty("action", out var actionElement)) action = ParseAction(actionElement);
            if (element.TryGetProperty("expected", out var expectedElement)) expected = ParseValues(expectedElement, "expected");
            if (action is null && kind is WastCommandKind.Action or WastCommandKind.AssertReturn or WastCommandKind.AssertTrap or WastCommandKind.AssertExhaustion)
                parseError ??= "missing 'action'";
            if (kind is WastCommandKind.Module or WastCommandKind.AssertInvalid or WastCommandKind.AssertMalformed
                    or WastCommandKind.AssertUnlinkable or WastCommandKind.AssertUninstantiable
                && GetString(element, "filename") is null)
                parseError ??= "missing 'filename'";
            if (kind == WastCommandKind.Register && GetString(element, "as") is null)
                parseError ??= "missing 'as'";
        }
        catch (FormatException e)
        {
            parseError ??= e.Message;
        }

        return new WastCommand
        {
            Kind = kind,
            TypeName = typeName,
            Line = line,
            Name = GetString(element, "name"),
            FileName = GetString(element, "filename"),
            ModuleType = GetString(element, "module_type"),
            Text = GetString(element, "text"),
            As = GetString(element, "as"),
            Action = action,
            Expected = expected,
            ParseError = parseError,
        };
    }

    private static WastAction ParseAction(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new FormatException("'action' is not an object");
        var type = GetString(element, "type") ?? throw new FormatException("'action' has no 'type'");
        var kind = type switch
        {
            "invoke" => WastActionKind.Invoke,
            "get" => WastActionKind.Get,
            _ => throw new FormatException($"unknown action type '{type}'"),
        };
        var field = GetString(element, "field") ?? throw new FormatException($"'{type}' action has no 'field'");
        IReadOnlyList<WastValue> args = element.TryGetProperty("args", out var argsElement) ? ParseValues(argsElement, "args") : [];
        return new WastAction(kind, GetString(element, "module"), field, args);
    }

    private static List<WastValue> ParseValues(JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Array) throw new FormatException($"'{what}' is not an array");
        var values = new List<WastValue>(element.GetArrayLength());
        int i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) throw new FormatException($"'{what}'[{i}] is not an object");
            var type = GetString(item, "type") ?? throw new FormatException($"'{what}'[{i}] has no 'type'");
            string? value = null;
            List<string>? lanes = null;
            if (item.TryGetProperty("value", out var v))
            {
                switch (v.ValueKind)
                {
                    case JsonValueKind.String:
                        value = v.GetString();
                        break;
                    case JsonValueKind.Array:
                        lanes = [];
                        foreach (var lane in v.EnumerateArray())
                            lanes.Add(lane.ValueKind == JsonValueKind.String ? lane.GetString()! : throw new FormatException($"'{what}'[{i}]: a lane is a {lane.ValueKind}, expected a string"));
                        break;
                    default:
                        throw new FormatException($"'{what}'[{i}]: 'value' is a {v.ValueKind}, expected a string");
                }
            }
            try
            {
                values.Add(lanes is null
                    ? WastValue.Parse(type, value)
                    : type == "v128"
                        ? WastValue.ParseV128(GetString(item, "lane_type") ?? throw new FormatException("a v128 value has no 'lane_type'"), lanes)
                        : throw new FormatException($"a lane list is only valid for v128, not {type}"));
            }
            catch (FormatException e)
            {
                throw new FormatException($"'{what}'[{i}]: {e.Message}", e);
            }
            i++;
        }
        return values;
    }

    private static string? GetString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
