using System.IO.Compression;
using System.Security.Cryptography;

namespace Polymath.Experts;

/// <summary>A read and verified expert package: manifest (if any) and payload bytes whose hashes matched.</summary>
public sealed class ExpertPackage
{
    internal ExpertPackage(string source, ExpertPackageKind kind, ExpertManifest? manifest, byte[] wasm,
        IReadOnlyDictionary<string, byte[]> native, string fingerprint)
    {
        Source = source;
        Kind = kind;
        Manifest = manifest;
        Wasm = wasm;
        Native = native;
        Fingerprint = fingerprint;
    }

    /// <summary>Full path of the file or folder the package was read from.</summary>
    public string Source { get; }
    /// <summary>How it is stored.</summary>
    public ExpertPackageKind Kind { get; }
    /// <summary>The manifest; null for a bare <c>*.wasm</c>.</summary>
    public ExpertManifest? Manifest { get; }
    /// <summary>The WebAssembly module bytes (hash verified).</summary>
    public byte[] Wasm { get; }
    /// <summary>Native kernels by runtime identifier (hash verified).</summary>
    public IReadOnlyDictionary<string, byte[]> Native { get; }
    /// <summary>sha256 over the manifest and every payload: equal fingerprints mean identical packages.</summary>
    public string Fingerprint { get; }
}
