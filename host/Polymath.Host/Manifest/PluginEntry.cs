using System.Runtime.InteropServices;
using Polymath.Sdk;

namespace Polymath.Host.Manifest;

/// <summary>One runtime plugin declared in plugins.json.</summary>
public sealed record PluginEntry
{
    /// <summary>Zero-based position of the entry in the <c>plugins</c> array.</summary>
    public required int Index { get; init; }

    /// <summary>The plugin id; must equal the id of the plugin's <see cref="RuntimeDescriptor"/>.</summary>
    public required string Id { get; init; }

    /// <summary>The assembly path exactly as written in the file.</summary>
    public required string AssemblyPath { get; init; }

    /// <summary>The assembly path resolved against the manifest's folder.</summary>
    public required string AssemblyFullPath { get; init; }

    /// <summary>Preference among available runtimes: higher wins; ties keep file order. Default 0.</summary>
    public int Priority { get; init; }

    /// <summary>The declared tier, if any. When present it must match the plugin's descriptor.</summary>
    public RuntimeTier? Tier { get; init; }

    /// <summary>Where the plugin can run. <see cref="PlatformConstraint.Any"/> when the entry has no <c>platforms</c> object.</summary>
    public PlatformConstraint Platforms { get; init; } = PlatformConstraint.Any;

    /// <summary>Native libraries the plugin needs (bare names such as <c>wasmtime</c>); the host checks they resolve before probing.</summary>
    public IReadOnlyList<string> NativeLibraries { get; init; } = [];

    /// <summary>"plugins[2] (id 'wasmtime')": how errors and logs name this entry.</summary>
    public override string ToString() => $"plugins[{Index}] (id '{Id}')";
}
