namespace Polymath.Sdk;

/// <summary>A runtime's identity.</summary>
/// <param name="Id">Stable id, matching its entry in plugins.json (e.g. <c>interpreter</c>).</param>
/// <param name="Name">Human-readable name.</param>
/// <param name="Version">The plugin's version.</param>
/// <param name="Tier">How it executes code.</param>
public sealed record RuntimeDescriptor(string Id, string Name, string Version, RuntimeTier Tier);
