using System.Runtime.InteropServices;

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// How much native stack the current thread has left. Wasmtime sets its wasm stack limit to
/// <c>sp - max_wasm_stack</c> when a call enters wasm; when the thread has less stack than that, a deep recursion runs
/// into the guard page instead of the limit and the process dies ("Stack overflow"). So a call enters wasm inline only
/// when the remaining stack is known to hold the whole wasm stack plus a margin for host frames; otherwise it runs on a
/// dedicated thread with a large stack (<see cref="GuestThread"/>). The lowest usable address of each thread's stack
/// is asked of the OS once per thread (pthread_getattr_np, pthread_get_stackaddr_np, GetCurrentThreadStackLimits).
/// </summary>
internal static unsafe class ThreadStack
{
    /// <summary>Lowest usable address of this thread's stack; 0 = not asked yet, 1 = unknown.</summary>
    [ThreadStatic] private static nuint t_low;

    /// <summary>Bytes between the current stack pointer and the bottom of this thread's stack (0 when unknown).</summary>
    public static nuint Remaining()
    {
        byte probe = 0;
        nuint sp = (nuint)(&probe);
        nuint low = t_low;
        if (low == 0) t_low = low = QueryLow();
        return low > 1 && sp > low ? sp - low : 0;
    }

    private static nuint QueryLow()
    {
        try
        {
            if (OperatingSystem.IsLinux()) return Linux();
            if (OperatingSystem.IsMacOS()) return MacOS();
            if (OperatingSystem.IsWindows()) return Windows();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return 1;
    }

    private static nuint Linux()
    {
        // pthread_attr_t is 56 bytes on x64 glibc, 64 on arm64; 256 leaves room for any libc.
        byte* attr = stackalloc byte[256];
        nint lib = NativeLibrary.TryLoad("libc.so.6", out var h) ? h : NativeLibrary.Load("libc");
        var getattr = (delegate* unmanaged<nint, byte*, int>)NativeLibrary.GetExport(lib, "pthread_getattr_np");
        var getstack = (delegate* unmanaged<byte*, nuint*, nuint*, int>)NativeLibrary.GetExport(lib, "pthread_attr_getstack");
        var destroy = (delegate* unmanaged<byte*, int>)NativeLibrary.GetExport(lib, "pthread_attr_destroy");
        var self = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "pthread_self");
        if (getattr(self(), attr) != 0) return 1;
        nuint addr = 0, size = 0;
        int rc = getstack(attr, &addr, &size);
        destroy(attr);
        // The reported range may include the guard page(s); leave 64 KiB above the bottom.
        return rc == 0 && addr != 0 ? addr + 64 * 1024 : 1;
    }

    private static nuint MacOS()
    {
        nint lib = NativeLibrary.Load("/usr/lib/libSystem.dylib");
        var self = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "pthread_self");
        var top = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(lib, "pthread_get_stackaddr_np");
        var size = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(lib, "pthread_get_stacksize_np");
        nint t = self();
        nuint hi = top(t), n = size(t);
        return hi > n ? hi - n + 64 * 1024 : 1;
    }

    private static nuint Windows()
    {
        nint lib = NativeLibrary.Load("kernel32.dll");
        var limits = (delegate* unmanaged<nuint*, nuint*, void>)NativeLibrary.GetExport(lib, "GetCurrentThreadStackLimits");
        nuint low = 0, high = 0;
        limits(&low, &high);
        // The reserved range includes the guard pages; leave 64 KiB.
        return low != 0 ? low + 64 * 1024 : 1;
    }
}
