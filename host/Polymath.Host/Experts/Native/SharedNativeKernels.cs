using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// The native kernels loaded in this process, one per shadow-copy path, reference counted. A shared library is loaded
/// once per process whatever asks for it (the dynamic loader returns the same handle for the same file), and a kit-built
/// kernel keeps global state, so two loaded versions of one package with the same bytes — the old and the new during a
/// hot reload — must share one kernel object and its call lock rather than race on that state.
/// </summary>
internal static class SharedNativeKernels
{
    private static readonly Dictionary<string, Entry> Kernels = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>The kernel loaded from <paramref name="path"/>, loading it with <paramref name="load"/> on first use; pair with <see cref="Release"/>.</summary>
    public static INativeKernel Acquire(string path, Func<string, INativeKernel> load)
    {
        lock (Gate)
        {
            if (Kernels.TryGetValue(path, out var entry))
            {
                entry.References++;
                return entry.Kernel;
            }
            var kernel = load(path);
            Kernels[path] = new Entry(kernel) { References = 1 };
            return kernel;
        }
    }

    /// <summary>Drops one reference; the last one unloads the kernel. Returns true when it was unloaded.</summary>
    public static bool Release(string path)
    {
        INativeKernel? unload = null;
        lock (Gate)
        {
            if (!Kernels.TryGetValue(path, out var entry)) return false;
            if (--entry.References == 0)
            {
                Kernels.Remove(path);
                unload = entry.Kernel;
            }
        }
        unload?.Dispose();
        return unload is not null;
    }

    /// <summary>How many references <paramref name="path"/> has (0 = not loaded) — for tests.</summary>
    public static int References(string path)
    {
        lock (Gate) return Kernels.TryGetValue(path, out var entry) ? entry.References : 0;
    }

    private sealed class Entry(INativeKernel kernel)
    {
        public INativeKernel Kernel { get; } = kernel;
        public int References { get; set; }
    }
}
