using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Polymath.Sdk;

namespace Polymath.Host.Manifest;

/// <summary>The plugins.json and probe-output spellings of <see cref="RuntimeTier"/>.</summary>
public static class TierNames
{
    /// <summary>All tier names, in <see cref="RuntimeTier"/> order.</summary>
    public static IReadOnlyList<string> All { get; } = ["jit", "compiler", "interpreter", "native"];

    /// <summary>The lower-case name of a tier (jit, compiler, interpreter, native).</summary>
    public static string ToName(this RuntimeTier tier) => tier switch
    {
        RuntimeTier.Jit => "jit",
        RuntimeTier.Compiler => "compiler",
        RuntimeTier.Interpreter => "interpreter",
        RuntimeTier.Native => "native",
        _ => tier.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses a tier name (case-insensitive).</summary>
    public static bool TryParse(string name, out RuntimeTier tier)
    {
        foreach (var candidate in Enum.GetValues<RuntimeTier>())
        {
            if (string.Equals(candidate.ToName(), name, StringComparison.OrdinalIgnoreCase))
            {
                tier = candidate;
                return true;
            }
        }
        tier = default;
        return false;
    }
}
