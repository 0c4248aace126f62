using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Polymath.Sdk;

namespace Polymath.Host.Manifest;

/// <summary>
/// Reads and validates plugins.json (schema: docs/plugins-json.md). Strict: unknown or duplicate
/// properties, wrong types and unknown values are errors, each reported as a
/// <see cref="PluginManifestException"/> naming the file, the entry and the field.
/// </summary>
public static partial class PluginManifestReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 16,
    };

    private static readonly string[] RootProperties = ["$schema", "schemaVersion", "plugins"];
    private static readonly string[] EntryProperties = ["id", "assembly", "priority", "tier", "platforms", "nativeLibraries", "description"];
    private static readonly string[] PlatformProperties = ["architectures", "os", "requiresDynamicCode"];

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex OsPattern();

    /// <summary>Reads the manifest at <paramref name="path"/>.</summary>
    /// <exception cref="PluginManifestException">The file is missing, unreadable or malformed.</exception>
    public static PluginManifest Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (FileNotFoundException e)
        {
            throw new PluginManifestException(fullPath, null, null, null, "file not found", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new PluginManifestException(fullPath, null, null, null, "file not found (its folder does not exist)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PluginManifestException(fullPath, null, null, null, $"cannot read the file: {e.Message}", e);
        }
        return Parse(text, fullPath);
    }

    /// <summary>Parses manifest text; <paramref name="filePath"/> names it in errors and anchors relative assembly paths.</summary>
    /// <exception cref="PluginManifestException">The text is malformed.</exception>
    public static PluginManifest Parse(string json, string filePath)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        filePath = Path.GetFullPath(filePath);
        var baseDirectory = Path.GetDirectoryName(filePath) ?? ".";

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            var at = e.LineNumber is { } line ? $" at line {line + 1}, position {(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new PluginManifestException(filePath, null, null, null, $"not valid JSON{at}: {FirstSentence(e.Message)}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            var rootErrors = new Context(filePath, null, null);
            if (root.ValueKind != JsonValueKind.Object)
                throw rootErrors.Error(null, $"the root must be a JSON object, not {Describe(root)}");
            CheckProperties(root, RootProperties, rootErrors, prefix: "");

            if (!root.TryGetProperty("schemaVersion", out var versionElement))
                throw rootErrors.Error("schemaVersion", $"is required (this host reads schemaVersion {PluginManifest.CurrentSchemaVersion})");
            if (versionElement.ValueKind != JsonValueKind.Number || !versionElement.TryGetInt32(out var schemaVersion))
                throw rootErrors.Error("schemaVersion", $"must be an integer, not {Describe(versionElement)}");
            if (schemaVersion != PluginManifest.CurrentSchemaVersion)
                throw rootErrors.Error("schemaVersion", $"version {schemaVersion} is not supported; this host reads schemaVersion {PluginManifest.CurrentSchemaVersion}");

            if (!root.TryGetProperty("plugins", out var pluginsElement))
                throw rootErrors.Error("plugins", "is required (a list of plugin entries, possibly empty)");
            if (pluginsElement.ValueKind != JsonValueKind.Array)
                throw rootErrors.Error("plugins", $"must be an array, not {Describe(pluginsElement)}");

            var entries = new List<PluginEntry>();
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            int index = 0;
            foreach (var element in pluginsElement.EnumerateArray())
            {
                var entry = ReadEntry(element, index, filePath, baseDirectory);
                if (ids.TryGetValue(entry.Id, out var first))
                    throw new Context(filePath, index, entry.Id).Error("id", $"duplicates the id of plugins[{first}]");
                ids.Add(entry.Id, index);
                entries.Add(entry);
                index++;
            }
            return new PluginManifest(filePath, schemaVersion, entries);
        }
    }

    private static PluginEntry ReadEntry(JsonElement element, int index, string filePath, string baseDirectory)
    {
        var errors = new Context(filePath, index, null);
        if (element.ValueKind != JsonValueKind.Object)
            throw errors.Error(null, $"each entry must be a JSON object, not {Describe(element)}");

        // Read the id first so that every later error can name the entry by it.
        if (!element.TryGetProperty("id", out var idElement))
            throw errors.Error("id", "is required");
        if (idElement.ValueKind != JsonValueKind.String)
            throw errors.Error("id", $"must be a string, not {Describe(idElement)}");
        var id = idElement.GetString()!;
        if (!IdPattern().IsMatch(id))
            throw errors.Error("id", $"'{id}' is not a valid id: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit");
        errors = new Context(filePath, index, id);

        CheckProperties(element, EntryProperties, errors, prefix: "");

        if (!element.TryGetProperty("assembly", out var asmElement))
            throw errors.Error("assembly", "is required (path of the plugin assembly, relative to this file's folder)");
        if (asmElement.ValueKind != JsonValueKind.String)
            throw errors.Error("assembly", $"must be a string, not {Describe(asmElement)}");
        var assembly = asmElement.GetString()!;
        if (string.IsNullOrWhiteSpace(assembly))
            throw errors.Error("assembly", "must not be empty");
        if (assembly.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || assembly.Contains('\0'))
            throw errors.Error("assembly", $"'{assembly}' contains characters that are not allowed in a path");
        if (!assembly.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            throw errors.Error("assembly", $"'{assembly}' must name a managed assembly file ending in .dll");
        var fullAssemblyPath = Path.GetFullPath(Path.Combine(baseDirectory, assembly.Replace('\\', '/')));

        int priority = 0;
        if (element.TryGetProperty("priority", out var priorityElement))
        {
            if (priorityElement.ValueKind != JsonValueKind.Number || !priorityElement.TryGetInt32(out priority))
                throw errors.Error("priority", $"must be an integer, not {Describe(priorityElement)}");
        }

        RuntimeTier? tier = null;
        if (element.TryGetProperty("tier", out var tierElement))
        {
            if (tierElement.ValueKind != JsonValueKind.String)
                throw errors.Error("tier", $"must be a string, not {Describe(tierElement)}");
            var tierText = tierElement.GetString()!;
            tier = TierNames.TryParse(tierText, out var parsed)
                ? parsed
                : throw errors.Error("tier", $"'{tierText}' is not a tier; expected one of {string.Join(", ", TierNames.All)}");
        }

        if (element.TryGetProperty("description", out var descriptionElement) && descriptionElement.ValueKind != JsonValueKind.String)
            throw errors.Error("description", $"must be a string, not {Describe(descriptionElement)}");

        var platforms = PlatformConstraint.Any;
        if (element.TryGetProperty("platforms", out var platformsElement))
            platforms = ReadPlatforms(platformsElement, errors);

        IReadOnlyList<string> nativeLibraries = [];
        if (element.TryGetProperty("nativeLibraries", out var nativeElement))
        {
            nativeLibraries = ReadStringArray(nativeElement, "nativeLibraries", errors, allowEmpty: true, (value, field) =>
            {
                if (string.IsNullOrWhiteSpace(value))
                    throw errors.Error(field, "must not be empty");
                if (value.Contains('/') || value.Contains('\\'))
                    throw errors.Error(field, $"'{value}' must be a library name (e.g. 'wasmtime'), not a path; the host searches the plugin's folder and runtimes/<rid>/native");
                return value;
            });
        }

        return new PluginEntry
        {
            Index = index,
            Id = id,
            AssemblyPath = assembly,
            AssemblyFullPath = fullAssemblyPath,
            Priority = priority,
            Tier = tier,
            Platforms = platforms,
            NativeLibraries = nativeLibraries,
        };
    }

    private static PlatformConstraint ReadPlatforms(JsonElement element, Context errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw errors.Error("platforms", $"must be an object, not {Describe(element)}");
        CheckProperties(element, PlatformProperties, errors, prefix: "platforms.");

        IReadOnlyList<Architecture>? architectures = null;
        if (element.TryGetProperty("architectures", out var archElement))
        {
            architectures = ReadStringArray(archElement, "platforms.architectures", errors, allowEmpty: false, (value, field) =>
                PlatformInfo.TryParseArchitecture(value, out var arch)
                    ? arch
                    : throw errors.Error(field, $"'{value}' is not an architecture; expected one of {string.Join(", ", Enum.GetValues<Architecture>().Select(PlatformInfo.ArchitectureName))}"));
        }

        IReadOnlyList<string>? operatingSystems = null;
        if (element.TryGetProperty("os", out var osElement))
        {
            operatingSystems = ReadStringArray(osElement, "platforms.os", errors, allowEmpty: false, (value, field) =>
                OsPattern().IsMatch(value)
                    ? value
                    : throw errors.Error(field, $"'{value}' is not an operating system name as used in runtime identifiers (e.g. linux, linux-musl, win, osx, android, ios)"));
        }

        bool requiresDynamicCode = false;
        if (element.TryGetProperty("requiresDynamicCode", out var dynElement))
        {
            requiresDynamicCode = dynElement.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw errors.Error("platforms.requiresDynamicCode", $"must be true or false, not {Describe(dynElement)}"),
            };
        }

        return new PlatformConstraint
        {
            Architectures = architectures,
            OperatingSystems = operatingSystems,
            RequiresDynamicCode = requiresDynamicCode,
        };
    }

    private static T[] ReadStringArray<T>(JsonElement element, string field, Context errors, bool allowEmpty, Func<string, string, T> convert)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw errors.Error(field, $"must be an array of strings, not {Describe(element)}");
        var length = element.GetArrayLength();
        if (length == 0 && !allowEmpty)
            throw errors.Error(field, "must list at least one value (leave the field out to allow any)");
        var result = new T[length];
        int i = 0;
        foreach (var item in element.EnumerateArray())
        {
            var itemField = $"{field}[{i}]";
            if (item.ValueKind != JsonValueKind.String)
                throw errors.Error(itemField, $"must be a string, not {Describe(item)}");
            result[i] = convert(item.GetString()!, itemField);
            for (int j = 0; j < i; j++)
            {
                if (EqualityComparer<T>.Default.Equals(result[j], result[i]))
                    throw errors.Error(itemField, $"repeats {field}[{j}]");
            }
            i++;
        }
        return result;
    }

    private static void CheckProperties(JsonElement element, string[] allowed, Context errors, string prefix)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                throw errors.Error(prefix + property.Name, "appears more than once");
            if (Array.IndexOf(allowed, property.Name) < 0)
            {
                var close = allowed.FirstOrDefault(a => string.Equals(a, property.Name, StringComparison.OrdinalIgnoreCase));
                var hint = close is null ? $"allowed: {string.Join(", ", allowed)}" : $"did you mean '{close}'?";
                throw errors.Error(prefix + property.Name, $"is not a known field ({hint})");
            }
        }
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{element.GetString()}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {element.GetRawText()}",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString(),
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private readonly record struct Context(string FilePath, int? Index, string? Id)
    {
        public PluginManifestException Error(string? field, string problem) =>
            new(FilePath, Index, Id, field, problem);
    }
}
