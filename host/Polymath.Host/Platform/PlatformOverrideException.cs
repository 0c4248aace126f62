using Microsoft.Extensions.Configuration;
using Polymath.Sdk;

namespace Polymath.Host.Platform;

/// <summary>A platform override (option, environment variable or configuration key) has a bad value.</summary>
public sealed class PlatformOverrideException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PlatformOverrideException(string source, string value, string problem, Exception? inner = null)
        : base($"{source}: '{value}' {problem}", inner)
    {
        Source = source;
        Value = value;
    }

    /// <summary>The option, variable or key that carried the bad value.</summary>
    public new string Source { get; }

    /// <summary>The bad value.</summary>
    public string Value { get; }
}
