using System.Runtime.ExceptionServices;

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// Runs a call on a new thread with a stack large enough for the engine's whole wasm stack plus host frames, and
/// waits for it. Used only when the calling thread's remaining stack is unknown or too small (see
/// <see cref="ThreadStack"/>); the common case (thread-pool and main threads have ≥ 1.5 MiB) runs inline.
/// </summary>
internal static class GuestThread
{
    /// <summary>Runs <paramref name="work"/> with <paramref name="state"/> on a thread of <paramref name="stackBytes"/> and rethrows its exception.</summary>
    public static void Run<TState>(int stackBytes, TState state, Action<TState> work)
    {
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { work(state); }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
        }, stackBytes)
        {
            IsBackground = true,
            Name = "wasmtime guest call",
        };
        thread.Start();
        thread.Join();
        error?.Throw();
    }
}
