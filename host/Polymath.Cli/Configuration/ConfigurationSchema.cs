using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Polymath.Cli;

/// <summary>
/// The keys the configuration sections a command reads may hold, taken from their options classes (public settable
/// properties; a nested options class is a sub-section, a dictionary or list takes any key below it) or listed by
/// hand. A set key of a known section that is not among them is a mistake — <c>Experts:Directroy</c> used to be
/// ignored and the default used — so <see cref="Check"/> refuses it, naming the key, where it was set and the nearest
/// known key. Sections not registered here (<c>Serilog</c>, an application's own) are not checked.
/// </summary>
internal sealed class ConfigurationSchema
{
    private readonly Dictionary<string, List<string>> _keys = new(StringComparer.OrdinalIgnoreCase);
    // Keys under which anything goes (a dictionary's or list's entries), with the trailing ':'.
    private readonly List<string> _open = [];

    /// <summary>The registered section names.</summary>
    public IEnumerable<string> Sections => _keys.Keys;

    /// <summary>Registers section <paramref name="section"/> with the keys of <paramref name="options"/>'s bindable properties.</summary>
    public ConfigurationSchema Add(string section, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type options, params string[] ignored)
    {
        var keys = Keys(section);
        AddProperties(section, options, keys, ignored);
        return this;
    }

    /// <summary>Registers section <paramref name="section"/> with the keys listed (for settings read without an options class).</summary>
    public ConfigurationSchema Add(string section, params string[] keys)
    {
        Keys(section).AddRange(keys.Select(k => $"{section}:{k}"));
        return this;
    }

    private List<string> Keys(string section)
    {
        if (!_keys.TryGetValue(section, out var keys)) _keys[section] = keys = [];
        return keys;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The options classes are the host's own, rooted by their binders.")]
    private void AddProperties(string prefix, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, List<string> keys, string[] ignored)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || ignored.Contains(p.Name, StringComparer.Ordinal)) continue;
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            bool collection = t != typeof(string) && typeof(IEnumerable).IsAssignableFrom(t);
            // A get-only property binds only when it is a collection or a nested options object.
            if (p.SetMethod is not { IsPublic: true } && !collection && !IsSection(t)) continue;
            string key = $"{prefix}:{p.Name}";
            keys.Add(key);
            if (collection) _open.Add(key + ":");
            else if (IsSection(t)) AddProperties(key, t, keys, ignored);
        }
    }

    private static bool IsSection(Type t) => t.IsClass && t != typeof(string) && t != typeof(Uri);

    /// <summary>
    /// Throws <see cref="CliUsageException"/> for the first set key of a registered section that is not known;
    /// <paramref name="sourceOf"/> names where a key was set (a file, an environment variable, an option).
    /// </summary>
    public void Check(IConfiguration configuration, Func<string, string> sourceOf)
    {
        foreach (var (section, keys) in _keys)
        {
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is null || Known(key, keys)) continue;
                throw new CliUsageException($"unknown configuration key '{HumanText.Sanitize(key)}' (set in {HumanText.Sanitize(sourceOf(key))}){NearestName.Suggest(key, keys)}");
            }
        }
    }

    private bool Known(string key, List<string> keys) =>
        keys.Contains(key, StringComparer.OrdinalIgnoreCase) || _open.Any(o => key.StartsWith(o, StringComparison.OrdinalIgnoreCase));
}
