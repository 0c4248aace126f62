using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Polymath.Host.Loading;

/// <summary>Native library naming rules shared by the load context and the declarative check.</summary>
public static class NativeLibraryNames
{
    /// <summary>
    /// File names to try for <paramref name="name"/> on the OS of <paramref name="runtimeIdentifier"/>:
    /// the name itself, then with the OS's suffix, then with the <c>lib</c> prefix and suffix.
    /// </summary>
    public static IEnumerable<string> Candidates(string name, string runtimeIdentifier)
    {
        var suffix = SuffixFor(runtimeIdentifier);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<string> All()
        {
            yield return name;
            if (!name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                yield return name + suffix;
            if (suffix != ".dll" && !name.StartsWith("lib", StringComparison.Ordinal))
            {
                yield return "lib" + name;
                if (!name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                    yield return "lib" + name + suffix;
            }
        }
        foreach (var candidate in All())
            if (seen.Add(candidate))
                yield return candidate;
    }

    /// <summary>The shared-library suffix of the RID's OS: .dll on Windows, .dylib on Apple systems, .so elsewhere.</summary>
    public static string SuffixFor(string runtimeIdentifier)
    {
        var os = OsOf(runtimeIdentifier);
        if (os.StartsWith("win", StringComparison.Ordinal)) return ".dll";
        if (os is "osx" or "ios" or "tvos" or "maccatalyst") return ".dylib";
        return ".so";
    }

    /// <summary>The RID and its less specific fallbacks, e.g. linux-musl-arm64 → linux-musl-arm64, linux-arm64, linux-musl, linux, unix.</summary>
    public static IEnumerable<string> RidFallbacks(string runtimeIdentifier)
    {
        var rid = runtimeIdentifier.ToLowerInvariant();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string> { rid };
        var dash = rid.LastIndexOf('-');
        if (dash > 0)
        {
            var os = rid[..dash];
            var arch = rid[(dash + 1)..];
            var osDash = os.IndexOf('-');
            if (osDash > 0) result.Add($"{os[..osDash]}-{arch}");
            result.Add(os);
            if (osDash > 0) result.Add(os[..osDash]);
            if (!os.StartsWith("win", StringComparison.Ordinal)) result.Add("unix");
        }
        return result.Where(seen.Add);
    }

    private static string OsOf(string runtimeIdentifier)
    {
        var dash = runtimeIdentifier.LastIndexOf('-');
        return (dash > 0 ? runtimeIdentifier[..dash] : runtimeIdentifier).ToLowerInvariant();
    }
}
