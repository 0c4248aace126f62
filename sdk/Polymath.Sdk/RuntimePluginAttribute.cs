namespace Polymath.Sdk;

/// <summary>Names the <see cref="IRuntimePlugin"/> implementation of a plugin assembly.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class RuntimePluginAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public RuntimePluginAttribute(Type pluginType) => PluginType = pluginType;

    /// <summary>A public, non-abstract type implementing <see cref="IRuntimePlugin"/> with a public parameterless constructor.</summary>
    public Type PluginType { get; }
}
