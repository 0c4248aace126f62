using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Polymath.Sdk.Caching;

/// <summary>
/// Turns an authentic entry's payload back into the runtime's compiled module; null with <paramref name="problem"/> when
/// the runtime refuses it (the entry is then deleted and rebuilt).
/// </summary>
public delegate T? CachePayloadReader<T>(ReadOnlySpan<byte> payload, out string? problem) where T : class;

/// <summary>
/// A runtime plugin's compiled code — serialized Wasmtime modules (machine code, like larql's .cwasm), the compiler
/// tier's persisted CIL assemblies; the payload is opaque here and the configuration key keeps runtimes' and
/// configurations' entries apart — in a directory private to this user. Deserializing an
/// entry is running its code, so an entry is used only when (1) the directory is owned by this user and not group- or
/// world-writable (created 0700), (2) the entry is a regular file, not a symbolic link, owned by this user and not
/// group- or world-writable, and (3) its HMAC-SHA256 under the per-user key in <see cref="KeyFileName"/> (0600, in the
/// directory) matches over the wasm's sha256, the engine configuration key and the payload. An entry failing (2) or
/// (3) is deleted, logged and rebuilt; a directory failing (1) turns the cache off for the engine (logged once).
/// Entries are written to a temporary file (0600) and renamed into place; the directory is kept under
/// <see cref="MaxBytes"/> by deleting the least recently used entries (a hit refreshes the entry's modification time).
/// </summary>
public sealed partial class CodeCache
{
    private static readonly byte[] Magic = "PMCWASM2"u8.ToArray();
    private const int HashSize = 32;
    private const int KeySize = 32;
    private const int Header = 8 + HashSize + HashSize + 4; // magic, MAC, wasm sha256, configuration key length

    /// <summary>The per-user secret key's file name, inside the cache directory.</summary>
    public const string KeyFileName = "cache.key";

    /// <summary>Default cap on the entries' total size: 512 MiB.</summary>
    public const long DefaultMaxBytes = 512L << 20;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    private readonly string _directory;
    private readonly string _configurationKey;
    private readonly byte[] _configurationKeyBytes;
    private readonly ILogger _logger;
    private readonly Lock _openLock = new();
    private byte[]? _key;
    private bool _opened;

    /// <summary>A cache over <paramref name="directory"/> (created 0700 on first use) for one engine configuration.</summary>
    /// <param name="directory">The cache directory; shared by every runtime and configuration.</param>
    /// <param name="configurationKey">What the compiled code depends on besides the wasm (runtime, version, settings); part of each entry's name and MAC.</param>
    /// <param name="logger">Where hits, misses, discarded entries and a refused directory are logged.</param>
    /// <param name="maxBytes">The cap on the entries' total size; least recently used entries are evicted above it.</param>
    public CodeCache(string directory, string configurationKey, ILogger logger, long maxBytes = DefaultMaxBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(configurationKey);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _directory = Path.GetFullPath(directory);
        _configurationKey = configurationKey;
        _configurationKeyBytes = Encoding.UTF8.GetBytes(configurationKey);
        _logger = logger;
        MaxBytes = maxBytes;
    }

    /// <summary>The cap on the total size of the entries.</summary>
    public long MaxBytes { get; }

    /// <summary>False when the directory cannot be trusted or used (logged once): nothing is read or written then.</summary>
    public bool IsUsable => Key() is not null;

    /// <summary>The cache file for <paramref name="wasm"/> (whether or not it exists).</summary>
    public string PathFor(ReadOnlySpan<byte> wasm) => PathFor(SHA256.HashData(wasm));

    /// <summary>The cache file for <paramref name="wasm"/> in <paramref name="directory"/> under <paramref name="configurationKey"/>.</summary>
    public static string PathFor(string directory, string configurationKey, ReadOnlySpan<byte> wasm) =>
        EntryPath(Path.GetFullPath(directory), Encoding.UTF8.GetBytes(configurationKey), SHA256.HashData(wasm));

    private string PathFor(byte[] wasmHash) => EntryPath(_directory, _configurationKeyBytes, wasmHash);

    private static string EntryPath(string directory, byte[] configurationKey, byte[] wasmHash)
    {
        Span<byte> keyInput = stackalloc byte[HashSize + configurationKey.Length];
        wasmHash.CopyTo(keyInput);
        configurationKey.CopyTo(keyInput[HashSize..]);
        return Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(keyInput)) + ".cwasm");
    }

    /// <summary>The compiled module from the cache, or null (off, missing, or discarded because it failed a check).</summary>
    public T? TryLoad<T>(ReadOnlySpan<byte> wasm, CachePayloadReader<T> open) where T : class
    {
        if (Key() is not { } key) return null;
        var wasmHash = SHA256.HashData(wasm);
        string path = PathFor(wasmHash);
        byte[]? bytes;
        string? problem;
        try
        {
            problem = Read(path, out bytes);
            if (problem is null && bytes is null)
            {
                LogMiss(path);
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogUnreadable(path, e.Message);
            return null;
        }
        if (problem is null)
        {
            problem = Check(bytes!, wasmHash, key, out int payloadOffset);
            if (problem is null)
            {
                if (open(bytes.AsSpan(payloadOffset), out problem) is { } module)
                {
                    LogHit(path);
                    Touch(path);
                    return module;
                }
                problem ??= "the runtime refused it";
            }
        }
        LogDiscarded(path, problem);
        TryDelete(path);
        return null;
    }

    /// <summary>
    /// The entry's bytes: null bytes and null problem when there is none; else null when it may be read (a regular
    /// file, not a link, this user's, not group/world-writable, within the cap), or what is wrong with it.
    /// </summary>
    private string? Read(string path, out byte[]? bytes)
    {
        bytes = null;
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target) return $"a symbolic link (to {target}), not a file this host wrote";
        if (!info.Exists) return null;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (FileOwner.IsSupported && FileOwner.CheckPrivateFile(handle, 0x12) is { } problem) return problem;
        long length = RandomAccess.GetLength(handle);
        if (length > MaxBytes || length > Array.MaxLength) return $"larger ({length} bytes) than the cache's cap ({MaxBytes} bytes)";
        var read = new byte[length];
        if (RandomAccess.Read(handle, read, 0) != length) return "changed while being read";
        bytes = read;
        return null;
    }

    /// <summary>A new file only this user may read and write (0600 on Unix); fails when it exists.</summary>
    private static FileStream CreatePrivateFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        return new FileStream(path, options);
    }
    /// <summary>Logs that the entry for <paramref name="wasm"/> was not written (the runtime could not serialize it).</summary>
    public void NotStored(ReadOnlySpan<byte> wasm, string reason) => LogNotStored(PathFor(wasm), reason);

    /// <summary>Writes <paramref name="payload"/> (the compiled module) for <paramref name="wasm"/> atomically, then evicts; failures are logged, never thrown.</summary>
    public void Store(ReadOnlySpan<byte> wasm, byte[] payload)
    {
        if (Key() is not { } key) return;
        var wasmHash = SHA256.HashData(wasm);
        string path = PathFor(wasmHash);
        string temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            long size = Header + _configurationKeyBytes.Length + payload.Length;
            if (size > MaxBytes)
            {
                LogNotStored(path, $"{size} bytes is more than the cache's cap ({MaxBytes} bytes)");
                return;
            }
            using (var file = CreatePrivateFile(temp))
            {
                Span<byte> header = stackalloc byte[Header];
                Magic.CopyTo(header);
                Mac(key, wasmHash, payload, header.Slice(Magic.Length, HashSize));
                wasmHash.CopyTo(header[(Magic.Length + HashSize)..]);
                BinaryPrimitives.WriteInt32LittleEndian(header[(Magic.Length + 2 * HashSize)..], _configurationKeyBytes.Length);
                file.Write(header);
                file.Write(_configurationKeyBytes);
                file.Write(payload);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            LogStored(path, payload.Length);
            Evict(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotStored(path, e.Message);
            TryDelete(temp);
        }
    }

    /// <summary>HMAC-SHA256 under <paramref name="key"/> of wasm sha256 ‖ configuration key ‖ payload.</summary>
    private void Mac(byte[] key, ReadOnlySpan<byte> wasmHash, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(wasmHash);
        hmac.AppendData(_configurationKeyBytes);
        hmac.AppendData(payload);
        hmac.GetHashAndReset(destination);
    }

    /// <summary>Null when the entry is authentic and for this wasm and configuration; else what is wrong.</summary>
    private string? Check(byte[] bytes, byte[] wasmHash, byte[] key, out int payloadOffset)
    {
        payloadOffset = 0;
        if (bytes.Length < Header) return $"truncated ({bytes.Length} bytes)";
        var span = bytes.AsSpan();
        if (!span[..Magic.Length].SequenceEqual(Magic)) return "not a Polymath code cache entry of this format (bad magic)";
        var mac = span.Slice(Magic.Length, HashSize);
        var entryWasmHash = span.Slice(Magic.Length + HashSize, HashSize);
        int keyLength = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(Magic.Length + 2 * HashSize, 4));
        if (keyLength < 0 || Header + keyLength > bytes.Length) return "truncated configuration key";
        var configuration = span.Slice(Header, keyLength);
        if (!entryWasmHash.SequenceEqual(wasmHash)) return "built from another wasm (sha256 mismatch)";
        if (!configuration.SequenceEqual(_configurationKeyBytes))
            return $"built for another engine configuration ('{Encoding.UTF8.GetString(configuration)}', this engine is '{_configurationKey}')";
        payloadOffset = Header + keyLength;
        Span<byte> expected = stackalloc byte[HashSize];
        Mac(key, wasmHash, span[payloadOffset..], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac))
            return "not authentic (HMAC mismatch: tampered with, or written under another key)";
        return null;
    }

    /// <summary>The per-user key, opening the directory first; null (logged once) when the cache cannot be trusted.</summary>
    private byte[]? Key()
    {
        if (Volatile.Read(ref _opened)) return _key;
        lock (_openLock)
        {
            if (_opened) return _key;
            string? problem = OpenDirectory();
            if (problem is null) _key = LoadOrCreateKey(out problem);
            if (problem is not null) LogCacheOff(_directory, problem);
            Volatile.Write(ref _opened, true);
            return _key;
        }
    }

    /// <summary>Creates the directory 0700 when missing; null when it is private to this user, else why not.</summary>
    private string? OpenDirectory()
    {
        try
        {
            if (!Directory.Exists(_directory))
            {
                if (OperatingSystem.IsWindows()) Directory.CreateDirectory(_directory);
                else Directory.CreateDirectory(_directory, OwnerOnlyDirectory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot create it: {e.Message}";
        }
        return FileOwner.IsSupported ? FileOwner.CheckPrivateDirectory(_directory) : null;
    }

    /// <summary>Reads the key file, or (when missing or untrustworthy: wrong owner, mode, type or size) writes a new one.</summary>
    private byte[]? LoadOrCreateKey(out string? problem)
    {
        string path = Path.Combine(_directory, KeyFileName);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                string? rejected = null;
                if (new FileInfo(path).LinkTarget is not null) rejected = "a symbolic link";
                else if (File.Exists(path))
                {
                    using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                    rejected = FileOwner.IsSupported ? FileOwner.CheckPrivateFile(handle, 0x3F /* any group/other access */) : null;
                    if (rejected is null)
                    {
                        var key = new byte[KeySize];
                        if (RandomAccess.GetLength(handle) == KeySize && RandomAccess.Read(handle, key, 0) == KeySize)
                        {
                            problem = null;
                            return key;
                        }
                        rejected = $"not {KeySize} bytes long";
                    }
                }
                if (rejected is not null)
                {
                    // Whoever could read or replace it could forge entries: every entry under it is void from now on.
                    LogKeyReplaced(path, rejected);
                    File.Delete(path);
                }
                string temp = $"{path}.{Guid.NewGuid():N}.tmp";
                using (var file = CreatePrivateFile(temp))
                {
                    file.Write(RandomNumberGenerator.GetBytes(KeySize));
                    file.Flush(flushToDisk: true);
                }
                try
                {
                    File.Move(temp, path, overwrite: false); // another process may have made one meanwhile: use that
                }
                catch (IOException)
                {
                    File.Delete(temp);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = $"cannot read or write its key {path}: {e.Message}";
                return null;
            }
        }
        problem = $"its key {path} keeps changing";
        return null;
    }

    /// <summary>Marks a hit as recently used (the modification time orders eviction).</summary>
    private void Touch(string path)
    {
        try { File.SetLastWriteTimeUtc(path, DateTime.UtcNow); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { LogNotDeleted(path, e.Message); }
    }

    /// <summary>Deletes the least recently used entries (never <paramref name="keep"/>) until the total is under the cap.</summary>
    private void Evict(string keep)
    {
        var entries = new List<FileInfo>();
        long total = 0;
        foreach (var f in new DirectoryInfo(_directory).EnumerateFiles("*.cwasm"))
        {
            entries.Add(f);
            total += f.Length;
        }
        if (total <= MaxBytes) return;
        entries.Sort(static (a, b) => a.LastWriteTimeUtc.CompareTo(b.LastWriteTimeUtc));
        foreach (var f in entries)
        {
            if (total <= MaxBytes) break;
            if (string.Equals(f.FullName, keep, StringComparison.Ordinal)) continue;
            TryDelete(f.FullName);
            total -= f.Length;
            LogEvicted(f.FullName, f.Length, MaxBytes);
        }
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

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Code cache file {Path} could not be deleted or touched: {Reason}")]
    private partial void LogNotDeleted(string path, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Code cache {Directory} not used (modules are compiled every time): {Problem}")]
    private partial void LogCacheOff(string directory, string problem);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Code cache key {Path} replaced (every entry under the old key will be rebuilt): {Problem}")]
    private partial void LogKeyReplaced(string path, string problem);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Code cache entry {Path} ({Bytes} bytes) evicted: the cache is over its cap of {MaxBytes} bytes")]
    private partial void LogEvicted(string path, long bytes, long maxBytes);
}
