using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;
using Polymath.Sdk;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// A whole module's generated code as a saved assembly (<see cref="PersistedAssemblyBuilder"/>): the same CIL the lazy
/// path emits into dynamic methods, by the same <see cref="FunctionCompiler"/>, into static methods of one type, both code
/// variants of every function. The code cache keeps these bytes; a later engine loads them into a collectible
/// <see cref="AssemblyLoadContext"/> instead of emitting again (RATIONALE.md, "Persistent code cache").
/// </summary>
internal static class PersistedCode
{
    private const string TypeName = "WasmCode";

    /// <summary>The assemblies whose non-public members generated code uses (a dynamic method skips visibility; a loaded assembly asks for it).</summary>
    private static readonly string[] Trusted =
    [
        typeof(Instance).Assembly.GetName().Name!,
        typeof(Polymath.Runtime.Core.WasmNumerics).Assembly.GetName().Name!,
        typeof(Polymath.Wasm.Module).Assembly.GetName().Name!,
        typeof(WasmTrapException).Assembly.GetName().Name!,
    ];

    private static string MethodName(int definedIndex, bool metered) => metered ? $"f{definedIndex}m" : $"f{definedIndex}";

    /// <summary>The saved assembly's name: the module's sha256, checked again on load (the entry's header names it too).</summary>
    public static string AssemblyName(ReadOnlySpan<byte> wasm) => "polymath-wasm-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(wasm));

    /// <summary>Why <paramref name="module"/>'s code cannot be saved as an assembly, or null when it can.</summary>
    public static string? Obstacle(CompiledModule module)
    {
        // A function type whose delegate the runtime made on the fly (by-ref results, more than 16 parameters) lives in
        // an in-memory assembly that a saved one cannot name.
        foreach (var sig in module.Signatures)
            if (sig.DelegateType.Assembly.IsDynamic) return $"function type {sig.Type} has no delegate type a saved assembly can name";
        return null;
    }

    /// <summary>
    /// Emits every defined function of <paramref name="module"/> (both variants) and saves the assembly.
    /// </summary>
    /// <exception cref="WasmTrapException">A function emission refuses (its frame; the lazy path would trap its first call).</exception>
    public static byte[] Build(CompiledModule module, string assemblyName)
    {
        var name = new AssemblyName(assemblyName);
        var assembly = new PersistedAssemblyBuilder(name, typeof(object).Assembly);
        var code = assembly.DefineDynamicModule(assemblyName);
        var ignoresAccessChecks = typeof(System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute).GetConstructor([typeof(string)])!;
        foreach (string trusted in Trusted) assembly.SetCustomAttribute(new CustomAttributeBuilder(ignoresAccessChecks, [trusted]));
        var type = code.DefineType(TypeName, TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class);
        var def = module.Definition;
        int count = def.Functions.Count;
        var methods = new MethodBuilder[2][];
        for (int v = 0; v < 2; v++)
        {
            methods[v] = new MethodBuilder[count];
            for (int i = 0; i < count; i++)
            {
                var sig = module.Signatures[def.Functions[i]];
                methods[v][i] = type.DefineMethod(MethodName(i, v == 1), MethodAttributes.Public | MethodAttributes.Static,
                    sig.ReturnType, sig.MethodParameters(typeof(Instance)));
            }
        }
        for (int v = 0; v < 2; v++)
        {
            var variant = methods[v];
            for (int i = 0; i < count; i++)
                new FunctionCompiler(module, i, new IlWriter(variant[i].GetILGenerator(), null), metered: v == 1,
                    callTarget: callee => variant[callee]).Compile();
        }
        type.CreateType();
        using var pe = new MemoryStream();
        assembly.Save(pe);
        return pe.ToArray();
    }

    /// <summary>
    /// Loads a saved assembly into its own collectible context and returns its methods per variant (0 unmetered, 1
    /// metered), or null with the reason when it is not this module's code.
    /// </summary>
    public static LoadedCode? Load(ReadOnlySpan<byte> pe, CompiledModule module, string assemblyName, out string? problem)
    {
        var context = new CodeLoadContext(module.Definition.GetHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            Assembly assembly;
            using (var stream = new MemoryStream(pe.ToArray(), writable: false)) assembly = context.LoadFromStream(stream);
            if (assembly.GetName().Name != assemblyName)
            {
                problem = $"the assembly is another module's code ({assembly.GetName().Name}, this module's is {assemblyName})";
                context.Unload();
                return null;
            }
            if (assembly.GetType(TypeName) is not { } type)
            {
                problem = $"the assembly has no {TypeName} type";
                context.Unload();
                return null;
            }
            var def = module.Definition;
            var methods = new MethodInfo[2][];
            for (int v = 0; v < 2; v++)
            {
                methods[v] = new MethodInfo[def.Functions.Count];
                for (int i = 0; i < def.Functions.Count; i++)
                {
                    var sig = module.Signatures[def.Functions[i]];
                    var m = type.GetMethod(MethodName(i, v == 1), BindingFlags.Public | BindingFlags.Static, sig.MethodParameters(typeof(Instance)));
                    if (m is null || m.ReturnType != sig.ReturnType)
                    {
                        problem = $"the assembly has no method {MethodName(i, v == 1)} of function type {sig.Type}";
                        context.Unload();
                        return null;
                    }
                    methods[v][i] = m;
                }
            }
            problem = null;
            return new LoadedCode(methods, context);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or TypeLoadException or MissingMemberException)
        {
            problem = $"not a loadable assembly of this module's code ({e.GetType().Name}: {e.Message})";
            context.Unload();
            return null;
        }
    }

    /// <summary>One module's loaded code: resolves the references of the saved assembly to the plugin's own assemblies.</summary>
    private sealed class CodeLoadContext(string module) : AssemblyLoadContext($"polymath-compiler-code {module}", isCollectible: true)
    {
        private static readonly AssemblyLoadContext Plugin = GetLoadContext(typeof(Instance).Assembly) ?? Default;

        protected override Assembly? Load(AssemblyName assemblyName) => Plugin.LoadFromAssemblyName(assemblyName);
    }
}

/// <summary>
/// Methods loaded from a saved assembly, per code variant. The context is unloaded when this object is finalized (its
/// module and every instance of it are then unreachable); the code itself goes once nothing refers to its methods.
/// </summary>
internal sealed class LoadedCode(MethodInfo[][] methods, AssemblyLoadContext context)
{
    public MethodInfo[][] Methods { get; } = methods;

    ~LoadedCode() => context.Unload();
}
