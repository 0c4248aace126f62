using System.Text.Json;
using System.Text.RegularExpressions;

namespace Polymath.Experts;

/// <summary>
/// The <c>expert.json</c> manifest of an expert package (schema version 1; docs/experts.md).
/// Parse it with <see cref="Parse"/>; every error names the file and the field.
/// </summary>
public sealed record ExpertManifest
{
    /// <summary>The file name of a manifest inside a package.</summary>
    public const string FileName = "expert.json";

    /// <summary>The only schema version this reader understands.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Schema version (1).</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    /// <summary>The expert id (larql id): <c>[a-z0-9_-]+</c>.</summary>
    public required string Id { get; init; }
    /// <summary>Version string, e.g. 0.2.0.</summary>
    public required string Version { get; init; }
    /// <summary>Tier 0..255; lower tiers shadow higher ones on a shared op name.</summary>
    public required byte Tier { get; init; }
    /// <summary>One-line description.</summary>
    public string Description { get; init; } = "";
    /// <summary>The WebAssembly module.</summary>
    public required PayloadReference Wasm { get; init; }
    /// <summary>Optional native kernels by runtime identifier (e.g. linux-x64).</summary>
    public IReadOnlyDictionary<string, PayloadReference> Native { get; init; } = new Dictionary<string, PayloadReference>();
    /// <summary>Capabilities without which the expert must not run.</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];
    /// <summary>Capabilities that make it better (ranking).</summary>
    public IReadOnlyList<string> Prefers { get; init; } = [];
    /// <summary>WASI facilities it asks for (wasi.stdio, wasi.clock, wasi.random); the operator decides.</summary>
    public IReadOnlyList<string> Grants { get; init; } = [];
    /// <summary>Limits; unset ones take host defaults.</summary>
    public ExpertLimits Limits { get; init; } = ExpertLimits.None;
    /// <summary>Optional per-op descriptions and argument schemas (field <c>ops</c>), keyed by op name.</summary>
    public IReadOnlyDictionary<string, ExpertOpManifest> Ops { get; init; } = new Dictionary<string, ExpertOpManifest>();

    private static readonly Regex IdPattern = new("^[a-z0-9_\\-]+$", RegexOptions.CultureInvariant);
    private static readonly Regex CapabilityPattern = new("^[a-z0-9][a-z0-9_\\-]*(\\.[a-z0-9_\\-]+)+$", RegexOptions.CultureInvariant);
    private static readonly Regex Sha256Pattern = new("^[0-9a-f]{64}$", RegexOptions.CultureInvariant);

    /// <summary>True when <paramref name="id"/> is a valid expert id.</summary>
    public static bool IsValidId(string id) => IdPattern.IsMatch(id);

    /// <summary>
    /// Parses and validates a manifest. When <paramref name="requireHashes"/> is false, missing or empty
    /// <c>sha256</c> fields are accepted (used by <c>polymath pack</c>, which fills them in).
    /// </summary>
    /// <remarks>
    /// A leading byte order mark, comments and trailing commas are accepted. Rejected, naming the field: a string or key
    /// with an unpaired UTF-16 surrogate, a number beyond the double range, a repeated key, nesting deeper than 64,
    /// a payload path that is absolute, has '.', '..' or empty segments, or holds a control or non-portable character.
    /// </remarks>
    /// <exception cref="ExpertPackageException">The JSON is malformed or a field is missing or wrong; the message names the field.</exception>
    public static ExpertManifest Parse(string json, string source, bool requireHashes = true)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        // A UTF-8 byte order mark decoded into the string is accepted, as editors write one.
        if (json.StartsWith('\uFEFF')) json = json[1..];
        using (var doc = StrictJson.ParseChecked(json, source, "the manifest", null, StrictJson.PackageText))
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ExpertPackageException(source, "$", "the manifest must be a JSON object");
            var r = new Reader(source);
            r.CheckKnown(root, "", "schemaVersion", "id", "version", "tier", "description", "payloads", "requires", "prefers", "grants", "limits", "ops");

            int schema = (int)r.Integer(root, "schemaVersion", required: true, 1, int.MaxValue)!.Value;
            if (schema != CurrentSchemaVersion)
                throw new ExpertPackageException(source, "schemaVersion", $"schema version {schema} is not supported (this host reads version {CurrentSchemaVersion})");
            string id = r.String(root, "id", required: true)!;
            if (!IsValidId(id))
                throw new ExpertPackageException(source, "id", $"'{id}' is not a valid expert id (allowed: a-z, 0-9, '_' and '-')");
            string version = r.String(root, "version", required: true)!;
            if (version.Length == 0) throw new ExpertPackageException(source, "version", "must not be empty");
            if (version.Any(char.IsControl)) throw new ExpertPackageException(source, "version", "must not contain control characters");
            byte tier = (byte)r.Integer(root, "tier", required: true, 0, 255)!.Value;
            string description = r.String(root, "description", required: false) ?? "";

            if (!root.TryGetProperty("payloads", out var payloads))
                throw new ExpertPackageException(source, "payloads", "is required");
            if (payloads.ValueKind != JsonValueKind.Object)
                throw new ExpertPackageException(source, "payloads", "must be an object");
            r.CheckKnown(payloads, "payloads.", "wasm", "native");
            if (!payloads.TryGetProperty("wasm", out var wasmEl))
                throw new ExpertPackageException(source, "payloads.wasm", "is required");
            var wasm = r.Payload(wasmEl, "payloads.wasm", requireHashes);
            var native = new Dictionary<string, PayloadReference>(StringComparer.Ordinal);
            if (payloads.TryGetProperty("native", out var nativeEl))
            {
                if (nativeEl.ValueKind != JsonValueKind.Object)
                    throw new ExpertPackageException(source, "payloads.native", "must be an object mapping runtime identifiers to payloads");
                foreach (var p in nativeEl.EnumerateObject())
                {
                    try { _ = Polymath.Sdk.PlatformInfo.FromRuntimeIdentifier(p.Name); }
                    catch (ArgumentException e) { throw new ExpertPackageException(source, $"payloads.native.{Printable(p.Name)}", Printable(e.Message)); }
                    native[p.Name] = r.Payload(p.Value, $"payloads.native.{p.Name}", requireHashes);
                }
            }

            var requires = r.CapabilityList(root, "requires");
            var prefers = r.CapabilityList(root, "prefers");
            var grants = r.CapabilityList(root, "grants");
            for (int i = 0; i < grants.Count; i++)
                if (!WasiGrantsParser.TryParse(grants[i], out _))
                    throw new ExpertPackageException(source, $"grants[{i}]", $"'{grants[i]}' is not a WASI facility (allowed: wasi.stdio, wasi.clock, wasi.random)");

            var limits = ExpertLimits.None;
            if (root.TryGetProperty("limits", out var lim))
            {
                if (lim.ValueKind != JsonValueKind.Object)
                    throw new ExpertPackageException(source, "limits", "must be an object");
                r.CheckKnown(lim, "limits.", "memoryPages", "fuelPerCall", "timeoutMs", "maxResultBytes");
                limits = new ExpertLimits
                {
                    MemoryPages = (uint?)r.Integer(lim, "memoryPages", false, 1, 65536, "limits."),
                    FuelPerCall = (ulong?)r.Integer(lim, "fuelPerCall", false, 1, long.MaxValue, "limits."),
                    TimeoutMs = (int?)r.Integer(lim, "timeoutMs", false, 1, int.MaxValue, "limits."),
                    MaxResultBytes = (int?)r.Integer(lim, "maxResultBytes", false, 2, int.MaxValue - 1, "limits."),
                };
            }

            var ops = new Dictionary<string, ExpertOpManifest>(StringComparer.Ordinal);
            if (root.TryGetProperty("ops", out var opsEl))
                ops = r.Ops(opsEl);

            return new ExpertManifest
            {
                SchemaVersion = schema, Id = id, Version = version, Tier = tier, Description = description,
                Wasm = wasm, Native = native, Requires = requires, Prefers = prefers, Grants = grants, Limits = limits,
                Ops = ops,
            };
        }
    }

    /// <summary>Writes the manifest as indented JSON (schema version 1).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", SchemaVersion);
            w.WriteString("id", Id);
            w.WriteString("version", Version);
            w.WriteNumber("tier", Tier);
            w.WriteString("description", Description);
            w.WriteStartObject("payloads");
            WritePayload(w, "wasm", Wasm);
            if (Native.Count > 0)
            {
                w.WriteStartObject("native");
                foreach (var (rid, p) in Native.OrderBy(k => k.Key, StringComparer.Ordinal)) WritePayload(w, rid, p);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            WriteList(w, "requires", Requires);
            WriteList(w, "prefers", Prefers);
            WriteList(w, "grants", Grants);
            if (Limits != ExpertLimits.None)
            {
                w.WriteStartObject("limits");
                if (Limits.MemoryPages is { } m) w.WriteNumber("memoryPages", m);
                if (Limits.FuelPerCall is { } f) w.WriteNumber("fuelPerCall", f);
                if (Limits.TimeoutMs is { } t) w.WriteNumber("timeoutMs", t);
                if (Limits.MaxResultBytes is { } x) w.WriteNumber("maxResultBytes", x);
                w.WriteEndObject();
            }
            if (Ops.Count > 0)
            {
                w.WriteStartObject("ops");
                foreach (var (name, op) in Ops)
                {
                    w.WriteStartObject(name);
                    if (op.Description.Length > 0) w.WriteString("description", op.Description);
                    if (op.Args is { } args)
                    {
                        w.WritePropertyName("args");
                        args.WriteTo(w);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n";

        static void WritePayload(Utf8JsonWriter w, string name, PayloadReference p)
        {
            w.WriteStartObject(name);
            w.WriteString("path", p.Path);
            w.WriteString("sha256", p.Sha256);
            w.WriteEndObject();
        }
        static void WriteList(Utf8JsonWriter w, string name, IReadOnlyList<string> items)
        {
            w.WriteStartArray(name);
            foreach (var i in items) w.WriteStringValue(i);
            w.WriteEndArray();
        }
    }

    // Characters no portable file name may hold: control characters (NUL included) and the ones Windows reserves.
    private static readonly System.Buffers.SearchValues<char> UnportablePathChars =
        System.Buffers.SearchValues.Create("<>:\"|?*\u007F" + string.Concat(Enumerable.Range(0, 32).Select(i => (char)i)));

    /// <summary>Why <paramref name="path"/> (with '/' separators) is not a usable payload path, or null when it is.</summary>
    internal static string? PayloadPathProblem(string path)
    {
        int bad = path.AsSpan().IndexOfAny(UnportablePathChars);
        if (bad >= 0)
            return $"'{Printable(path)}' holds the character U+{(int)path[bad]:X4}, which a payload path may not contain (control characters and <>:\"|?* are not portable)";
        if (path.StartsWith('/') || path.Split('/').Any(s => s is ".." or "." or ""))
            return $"'{Printable(path)}' must be relative to the package and stay inside it (no leading '/', no '.', '..' or empty segments)";
        if (path.Length > 1024) return $"is longer than 1024 characters";
        return null;
    }

    /// <summary><paramref name="s"/> with control characters shown as \uXXXX, for messages.</summary>
    internal static string Printable(string s)
    {
        if (!s.Any(char.IsControl)) return s;
        var sb = new System.Text.StringBuilder(s.Length + 16);
        foreach (char c in s) sb.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c);
        return sb.ToString();
    }

    private readonly struct Reader(string source)
    {
        public void CheckKnown(JsonElement obj, string prefix, params string[] known)
        {
            foreach (var p in obj.EnumerateObject())
                if (Array.IndexOf(known, p.Name) < 0)
                    throw new ExpertPackageException(source, prefix + Printable(p.Name), $"is not a known field (known: {string.Join(", ", known)})");
        }

        public string? String(JsonElement obj, string name, bool required)
        {
            if (!obj.TryGetProperty(name, out var v))
                return required ? throw new ExpertPackageException(source, name, "is required") : null;
            if (v.ValueKind != JsonValueKind.String)
                throw new ExpertPackageException(source, name, $"must be a string, found {Describe(v)}");
            return v.GetString()!;
        }

        public long? Integer(JsonElement obj, string name, bool required, long min, long max, string prefix = "")
        {
            if (!obj.TryGetProperty(name, out var v))
                return required ? throw new ExpertPackageException(source, prefix + name, "is required") : null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long n))
                throw new ExpertPackageException(source, prefix + name, $"must be an integer, found {Describe(v)}");
            if (n < min || n > max)
                throw new ExpertPackageException(source, prefix + name, $"{n} is out of range ({min}..{max})");
            return n;
        }

        public PayloadReference Payload(JsonElement el, string field, bool requireHashes)
        {
            if (el.ValueKind != JsonValueKind.Object)
                throw new ExpertPackageException(source, field, "must be an object with 'path' and 'sha256'");
            CheckKnown(el, field + ".", "path", "sha256");
            if (!el.TryGetProperty("path", out var pathEl) || pathEl.ValueKind != JsonValueKind.String || pathEl.GetString()!.Length == 0)
                throw new ExpertPackageException(source, field + ".path", "is required and must be a non-empty string");
            string path = pathEl.GetString()!.Replace('\\', '/');
            if (PayloadPathProblem(path) is { } problem)
                throw new ExpertPackageException(source, field + ".path", problem);
            string sha = "";
            if (el.TryGetProperty("sha256", out var shaEl))
            {
                if (shaEl.ValueKind != JsonValueKind.String)
                    throw new ExpertPackageException(source, field + ".sha256", $"must be a string, found {Describe(shaEl)}");
                sha = shaEl.GetString()!.ToLowerInvariant();
            }
            if (sha.Length == 0 && requireHashes)
                throw new ExpertPackageException(source, field + ".sha256", "is required (run 'polymath pack' to fill it in)");
            if (sha.Length != 0 && !Sha256Pattern.IsMatch(sha))
                throw new ExpertPackageException(source, field + ".sha256", $"'{sha}' is not 64 hexadecimal digits");
            return new PayloadReference(path, sha);
        }

        public IReadOnlyList<string> CapabilityList(JsonElement obj, string name)
        {
            if (!obj.TryGetProperty(name, out var v)) return [];
            if (v.ValueKind != JsonValueKind.Array)
                throw new ExpertPackageException(source, name, $"must be an array of capability names, found {Describe(v)}");
            var list = new List<string>();
            int i = 0;
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                    throw new ExpertPackageException(source, $"{name}[{i}]", $"must be a string, found {Describe(item)}");
                string s = item.GetString()!;
                if (!CapabilityPattern.IsMatch(s))
                    throw new ExpertPackageException(source, $"{name}[{i}]", $"'{Printable(s)}' is not a capability name (lower-case, dot-separated, e.g. exec.jit)");
                if (!list.Contains(s)) list.Add(s);
                i++;
            }
            return list;
        }

        // ops: { "<op>": { "description": "...", "args": { JSON Schema of the argument object } } }. The schema is
        // checked for the shape hosts rely on (an object schema; properties, required, additionalProperties well
        // formed); a full JSON Schema validation is the consumer's (the MCP server validates against the meta-schema).
        public Dictionary<string, ExpertOpManifest> Ops(JsonElement opsEl)
        {
            if (opsEl.ValueKind != JsonValueKind.Object)
                throw new ExpertPackageException(source, "ops", $"must be an object mapping op names to {{description, args}}, found {Describe(opsEl)}");
            var ops = new Dictionary<string, ExpertOpManifest>(StringComparer.Ordinal);
            foreach (var p in opsEl.EnumerateObject())
            {
                string field = $"ops.{p.Name}";
                if (p.Name.Length == 0) throw new ExpertPackageException(source, "ops", "has an empty op name");
                if (p.Name.Any(char.IsControl)) throw new ExpertPackageException(source, "ops", $"has an op name with a control character ('{Printable(p.Name)}')");
                if (p.Value.ValueKind != JsonValueKind.Object)
                    throw new ExpertPackageException(source, field, $"must be an object with 'description' and/or 'args', found {Describe(p.Value)}");
                CheckKnown(p.Value, field + ".", "description", "args");
                string description = "";
                if (p.Value.TryGetProperty("description", out var d))
                {
                    if (d.ValueKind != JsonValueKind.String)
                        throw new ExpertPackageException(source, field + ".description", $"must be a string, found {Describe(d)}");
                    description = d.GetString()!;
                }
                JsonElement? args = null;
                if (p.Value.TryGetProperty("args", out var a))
                {
                    ArgsSchema(a, field + ".args");
                    args = a.Clone();
                }
                ops[p.Name] = new ExpertOpManifest { Description = description, Args = args };
            }
            return ops;
        }

        private void ArgsSchema(JsonElement schema, string field)
        {
            if (schema.ValueKind != JsonValueKind.Object)
                throw new ExpertPackageException(source, field, $"must be a JSON Schema object, found {Describe(schema)}");
            if (schema.TryGetProperty("type", out var type) && !(type.ValueKind == JsonValueKind.String && type.GetString() == "object"))
                throw new ExpertPackageException(source, field + ".type", "must be \"object\" (args are a JSON object)");
            var names = new HashSet<string>(StringComparer.Ordinal);
            if (schema.TryGetProperty("properties", out var props))
            {
                if (props.ValueKind != JsonValueKind.Object)
                    throw new ExpertPackageException(source, field + ".properties", $"must be an object, found {Describe(props)}");
                foreach (var prop in props.EnumerateObject())
                {
                    if (prop.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
                        throw new ExpertPackageException(source, $"{field}.properties.{prop.Name}", $"must be a schema (object or boolean), found {Describe(prop.Value)}");
                    names.Add(prop.Name);
                }
            }
            if (schema.TryGetProperty("required", out var required))
            {
                if (required.ValueKind != JsonValueKind.Array)
                    throw new ExpertPackageException(source, field + ".required", $"must be an array of property names, found {Describe(required)}");
                int i = 0;
                foreach (var item in required.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                        throw new ExpertPackageException(source, $"{field}.required[{i}]", $"must be a string, found {Describe(item)}");
                    if (!names.Contains(item.GetString()!))
                        throw new ExpertPackageException(source, $"{field}.required[{i}]", $"names '{item.GetString()}', which is not in properties");
                    i++;
                }
            }
            if (schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
                throw new ExpertPackageException(source, field + ".additionalProperties", $"must be a boolean or a schema, found {Describe(extra)}");
        }

        private static string Describe(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => v.ValueKind.ToString(),
        };
    }
}
