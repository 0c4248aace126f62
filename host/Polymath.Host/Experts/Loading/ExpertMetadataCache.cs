using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polymath.Host.Logging;
using Polymath.Sdk.Caching;

namespace Polymath.Host.Experts;

/// <summary>
/// What a load learns from instantiating an expert, kept between processes so a cold process builds its op table without
/// instantiating (or even validating) every expert: the raw <c>larql_metadata</c> JSON and the capabilities the module's
/// features require — or, when reading the metadata failed (a trap, a timeout in <c>_initialize</c>), that failure and the
/// limits it failed under, so a broken package does not cost its full timeout in every process. One JSON file per module,
/// named by the wasm's sha256 under a format-version folder; written to a temporary file and renamed into place (atomic);
/// an entry that does not parse or does not match its name is deleted with a warning and rebuilt. It lives beside the
/// compiled-code cache and gets the same directory rule: created 0700, and not used at all (one warning) when the
/// directory or its format folder is owned by another user or writable by group or others (the SDK's FileOwner, as for the
/// code cache).
/// </summary>
internal sealed class ExpertMetadataCache(string directory, ILogger logger)
{
    private readonly Lazy<bool> _usable = new(() => Open(Path.Combine(Path.GetFullPath(directory), FormatVersion), logger));

    /// <summary>Bumped whenever the entry's meaning changes; old entries are then simply not found.</summary>
    public const string FormatVersion = "v1";

    /// <summary>The folder the entries live in.</summary>
    public string Directory { get; } = Path.Combine(Path.GetFullPath(directory), FormatVersion);

    /// <summary>The cached entry for the wasm with hex sha256 <paramref name="wasmSha256"/>, or null (missing or discarded).</summary>
    public ExpertMetadataCacheEntry? TryRead(string wasmSha256)
    {
        string path = PathFor(wasmSha256);
        if (!_usable.Value) return null;
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) { Log.MetadataCacheMiss(logger, path); return null; }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.MetadataCacheUnusable(logger, path, e.Message);
            return null;
        }
        string? problem;
        ExpertMetadataCacheEntry? entry = null;
        try { problem = Parse(bytes, wasmSha256, out entry); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { problem = $"not a metadata cache entry: {e.Message}"; }
        if (problem is null)
        {
            Log.MetadataCacheHit(logger, path);
            return entry;
        }
        Log.MetadataCacheDiscarded(logger, path, problem);
        TryDelete(path);
        return null;
    }

    /// <summary>Writes <paramref name="entry"/> atomically; failures are logged, never thrown.</summary>
    public void Write(ExpertMetadataCacheEntry entry)
    {
        string path = PathFor(entry.WasmSha256);
        string temp = $"{path}.{Guid.NewGuid():N}.tmp";
        if (!_usable.Value) return;
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var w = new Utf8JsonWriter(file))
            {
                w.WriteStartObject();
                w.WriteString("format", FormatVersion);
                w.WriteString("wasm_sha256", entry.WasmSha256);
                w.WriteStartArray("capabilities");
                foreach (var c in entry.Capabilities) w.WriteStringValue(c);
                w.WriteEndArray();
                if (entry.ValidatedBy is { } validator) w.WriteString("validated_by", validator);
                if (entry.MetadataJson is { } json) w.WriteString("metadata", json);
                if (entry.Failure is { } failure)
                {
                    w.WriteString("failure", failure);
                    w.WriteString("failed_under", entry.FailedUnder);
                }
                w.WriteEndObject();
            }
            File.Move(temp, path, overwrite: true);
            Log.MetadataCacheWritten(logger, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.MetadataCacheNotWritten(logger, path, e.Message);
            TryDelete(temp);
        }
    }

    /// <summary>Creates the folders 0700 when missing; false (logged) when either is not private to this user.</summary>
    private static bool Open(string formatFolder, ILogger logger)
    {
        string root = Path.GetDirectoryName(formatFolder)!;
        try
        {
            if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(formatFolder);
            else System.IO.Directory.CreateDirectory(formatFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.MetadataCacheOff(logger, root, $"cannot create it: {e.Message}");
            return false;
        }
        if (!FileOwner.IsSupported) return true;
        foreach (string dir in (string[])[root, formatFolder])
        {
            if (FileOwner.CheckPrivateDirectory(dir) is { } problem)
            {
                Log.MetadataCacheOff(logger, dir, problem);
                return false;
            }
        }
        return true;
    }

    private string PathFor(string wasmSha256) => Path.Combine(Directory, wasmSha256 + ".json");

    private static string? Parse(byte[] bytes, string wasmSha256, out ExpertMetadataCacheEntry? entry)
    {
        entry = null;
        using var doc = JsonDocument.Parse(bytes);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) return "not a JSON object";
        if (!root.TryGetProperty("format", out var format) || format.GetString() != FormatVersion) return $"format is not {FormatVersion}";
        if (!root.TryGetProperty("wasm_sha256", out var hash) || hash.GetString() != wasmSha256) return "built for another wasm (sha256 mismatch)";
        if (!root.TryGetProperty("capabilities", out var caps) || caps.ValueKind != JsonValueKind.Array) return "no capabilities";
        var capabilities = caps.EnumerateArray().Select(c => c.GetString() ?? throw new FormatException("a capability is not a string")).ToArray();
        string? metadata = root.TryGetProperty("metadata", out var m) ? m.GetString() : null;
        string? failure = root.TryGetProperty("failure", out var f) ? f.GetString() : null;
        string? failedUnder = root.TryGetProperty("failed_under", out var u) ? u.GetString() : null;
        if ((metadata is null) == (failure is null)) return "neither metadata nor a failure (or both)";
        if (failure is not null && failedUnder is null) return "a failure without the limits it failed under";
        string? validatedBy = root.TryGetProperty("validated_by", out var v) ? v.GetString() : null;
        entry = new ExpertMetadataCacheEntry(wasmSha256, capabilities, metadata, failure, failedUnder, validatedBy);
        return null;
    }

    private void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Log.MetadataCacheUnusable(logger, path, e.Message); }
    }
}
