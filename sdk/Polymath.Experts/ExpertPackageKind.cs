using System.IO.Compression;
using System.Security.Cryptography;

namespace Polymath.Experts;

/// <summary>How a package is stored.</summary>
public enum ExpertPackageKind
{
    /// <summary>A bare <c>*.wasm</c> exporting the larql ABI; metadata comes from <c>larql_metadata</c>.</summary>
    BareWasm,
    /// <summary>A folder with <c>expert.json</c>.</summary>
    Folder,
    /// <summary>The same folder as one zip file (<c>*.expert</c> or <c>*.zip</c>).</summary>
    Zip,
}
