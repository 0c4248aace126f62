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
