namespace System.Runtime.CompilerServices;

/// <summary>
/// Lets the assembly it is applied to use the named assembly's non-public members. The runtime honours it by its name
/// (it is not part of the class library); the compiler applies it to the saved assemblies of generated code
/// (<see cref="Polymath.Runtime.Compiler.PersistedCode"/>), which use the plugin's internals as a dynamic method with
/// skipVisibility does. Defined here, not in the saved assembly: a saved assembly's attribute whose constructor is its own
/// does not load (PersistedAssemblyBuilder writes an image the runtime refuses).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute(string assemblyName) : Attribute
{
    /// <summary>The assembly whose members may be used.</summary>
    public string AssemblyName { get; } = assemblyName;
}
