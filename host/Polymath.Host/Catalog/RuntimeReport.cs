using Polymath.Sdk;

namespace Polymath.Host.Catalog;

/// <summary>What the host found out about one runtime plugin on the selected platform.</summary>
public enum RuntimeStatus
{
    /// <summary>Loaded, and its probe says it can run here.</summary>
    Available,
    /// <summary>plugins.json excludes this platform; the plugin's assembly was never opened.</summary>
    Unsupported,
    /// <summary>Loaded, but it cannot run here: its probe declined, or a native library it declares is missing.</summary>
    Unavailable,
    /// <summary>Could not be loaded (missing file, bad image, no plugin type, wrong id…) or its probe threw.</summary>
    Failed,
}

/// <summary>The outcome of selecting one plugin entry.</summary>
public sealed record RuntimeReport
{
    /// <summary>The plugin id from plugins.json.</summary>
    public required string Id { get; init; }

    /// <summary>Its status.</summary>
    public required RuntimeStatus Status { get; init; }

    /// <summary>One human line saying why.</summary>
    public required string Reason { get; init; }

    /// <summary>Capabilities provided on this platform (empty unless <see cref="RuntimeStatus.Available"/>).</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>The tier: from the plugin's descriptor when it was loaded, otherwise from plugins.json if declared there.</summary>
    public RuntimeTier? Tier { get; init; }

    /// <summary>The plugin's descriptor, when it was loaded far enough to read it.</summary>
    public RuntimeDescriptor? Descriptor { get; init; }

    /// <summary>Priority from plugins.json.</summary>
    public int Priority { get; init; }

    /// <summary>The resolved assembly path.</summary>
    public required string AssemblyPath { get; init; }

    /// <summary>The lower-case status name used in the probe JSON (available, unsupported, unavailable, failed).</summary>
    public string StatusName => Status.ToString().ToLowerInvariant();
}

/// <summary>No runtime that can serve the request is available.</summary>
public sealed class RuntimeNotAvailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RuntimeNotAvailableException(string message) : base(message) { }
}
