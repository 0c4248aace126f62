namespace Polymath.Sdk;

/// <summary>Convenience lookups on instances.</summary>
public static class WasmInstanceExtensions
{
    /// <summary>The exported function <paramref name="name"/>, or null.</summary>
    public static IWasmFunction? GetFunction(this IWasmInstance instance, string name) =>
        instance.Exports.TryGetValue(name, out var e) ? e as IWasmFunction : null;

    /// <summary>The exported memory <paramref name="name"/>, or null.</summary>
    public static IWasmMemory? GetMemory(this IWasmInstance instance, string name = "memory") =>
        instance.Exports.TryGetValue(name, out var e) ? e as IWasmMemory : null;

    /// <summary>The exported global <paramref name="name"/>, or null.</summary>
    public static IWasmGlobal? GetGlobal(this IWasmInstance instance, string name) =>
        instance.Exports.TryGetValue(name, out var e) ? e as IWasmGlobal : null;

    /// <summary>The exported table <paramref name="name"/>, or null.</summary>
    public static IWasmTable? GetTable(this IWasmInstance instance, string name) =>
        instance.Exports.TryGetValue(name, out var e) ? e as IWasmTable : null;
}
