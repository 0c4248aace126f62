using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// Serialized Wasmtime modules (machine code, like larql's .cwasm) in a directory the host owns. An entry is named by
/// sha256(wasm sha256 + engine configuration key) and holds a header — magic, sha256 of the payload, sha256 of the
/// wasm, the configuration key — then the payload. Entries are only ever read from this directory, written to a
/// temporary file and renamed into place (atomic), and checked field by field before Wasmtime deserializes them; an
/// entry that fails any check is deleted, logged and rebuilt.
/// </summary>
internal sealed partial class CodeCache
{
    private static readonly byte[] Magic = "PMCWASM1"u8.ToArray();
    private const int HashSize = 32;

    private readonly string _directory;
    private readonly string _configurationKey;
    private readonly byte[] _configurationKeyBytes;
    private readonly ILogger _logger;

    public CodeCache(string directory, string configurationKey, ILogger logger)
    {
        _directory = Path.GetFullPath(directory);
        _configurationKey = configurationKey;
        _configurationKeyBytes = Encoding.UTF8.GetBytes(configurationKey);
        _logger = logger;
    }

    /// <summary>The cache file for <paramref name="wasm"/> (whether or not it exists).</summary>
    public string PathFor(ReadOnlySpan<byte> wasm) => PathFor(SHA256.HashData(wasm));

    private string PathFor(byte[] wasmHash)
    {
        Span<byte> keyInput = stackalloc byte[HashSize + _configurationKeyBytes.Length];
        wasmHash.CopyTo(keyInput);
        _configurationKeyBytes.CopyTo(keyInput[HashSize..]);
        return Path.Combine(_directory, Convert.ToHexStringLower(SHA256.HashData(keyInput)) + ".cwasm");
    }

    /// <summary>The compiled module from the cache, or null (missing, or discarded because it failed a check).</summary>
    public global::Wasmtime.Module? TryLoad(Engine engine, ReadOnlySpan<byte> wasm)
    {
        var wasmHash = SHA256.HashData(wasm);
        string path = PathFor(wasmHash);
        byte[] bytes;
        try
        {
            if (!File.Exists(path))
            {
                LogMiss(path);
                return null;
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogUnreadable(path, e.Message);
            return null;
        }
        string? problem = Check(bytes, wasmHash, out int payloadOffset);
        if (problem is null)
        {
            try
            {
                var module = global::Wasmtime.Module.Deserialize(engine, "module", bytes.AsSpan(payloadOffset));
                LogHit(path);
                return module;
            }
            catch (WasmtimeException e)
            {
                problem = $"Wasmtime refused it: {e.Message.ReplaceLineEndings(" ")}";
            }
        }
        LogDiscarded(path, problem);
        TryDelete(path);
        return null;
    }

    /// <summary>Writes <paramref name="module"/> for <paramref name="wasm"/> atomically; failures are logged, never thrown.</summary>
    public void Store(global::Wasmtime.Module module, ReadOnlySpan<byte> wasm)
    {
        var wasmHash = SHA256.HashData(wasm);
        string path = PathFor(wasmHash);
        string temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            byte[] payload = module.Serialize();
            Directory.CreateDirectory(_directory);
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(Magic);
                file.Write(SHA256.HashData(payload));
                file.Write(wasmHash);
                Span<byte> length = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(length, _configurationKeyBytes.Length);
                file.Write(length);
                file.Write(_configurationKeyBytes);
                file.Write(payload);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            LogStored(path, payload.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or WasmtimeException)
        {
            LogNotStored(path, e.Message);
            TryDelete(temp);
        }
    }

    /// <summary>Null when the entry is intact and for this wasm and configuration; else what is wrong.</summary>
    private string? Check(byte[] bytes, byte[] wasmHash, out int payloadOffset)
    {
        payloadOffset = 0;
        int header = Magic.Length + HashSize + HashSize + 4;
        if (bytes.Length < header) return $"truncated ({bytes.Length} bytes)";
        var span = bytes.AsSpan();
        if (!span[..Magic.Length].SequenceEqual(Magic)) return "not a Polymath code cache entry (bad magic)";
        var payloadHash = span.Slice(Magic.Length, HashSize);
        var entryWasmHash = span.Slice(Magic.Length + HashSize, HashSize);
        int keyLength = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(Magic.Length + 2 * HashSize, 4));
        if (keyLength < 0 || header + keyLength > bytes.Length) return "truncated configuration key";
        var key = span.Slice(header, keyLength);
        if (!entryWasmHash.SequenceEqual(wasmHash)) return "built from another wasm (sha256 mismatch)";
        if (!key.SequenceEqual(_configurationKeyBytes))
            return $"built for another engine configuration ('{Encoding.UTF8.GetString(key)}', this engine is '{_configurationKey}')";
        payloadOffset = header + keyLength;
        if (!SHA256.HashData(span[payloadOffset..]).AsSpan().SequenceEqual(payloadHash)) return "corrupt (payload sha256 mismatch)";
        return null;
    }

    private void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { LogNotDeleted(path, e.Message); }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Code cache miss: {Path}")]
    private partial void LogMiss(string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Code cache hit: {Path}")]
    private partial void LogHit(string path);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Code cache entry {Path} discarded and rebuilt: {Problem}")]
    private partial void LogDiscarded(string path, string problem);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Code cache entry written: {Path} ({Bytes} bytes of machine code)")]
    private partial void LogStored(string path, int bytes);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Code cache entry {Path} not written: {Reason}")]
    private partial void LogNotStored(string path, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Code cache entry {Path} unreadable: {Reason}")]
    private partial void LogUnreadable(string path, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Code cache entry {Path} could not be deleted: {Reason}")]
    private partial void LogNotDeleted(string path, string reason);
}
