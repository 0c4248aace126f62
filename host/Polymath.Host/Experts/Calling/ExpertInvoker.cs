using System.Diagnostics;
using System.Text.Json;
using Polymath.Experts;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// Runs one call on a pooled instance of the routed expert with its limits (fuel, timeout, memory, depth, result size)
/// and turns everything that can go wrong into an outcome: traps and limits, ABI violations, link errors. A trapped or
/// misbehaving instance is discarded; the next call gets a fresh one.
/// </summary>
internal static class ExpertInvoker
{
    /// <summary>Whether <paramref name="utf8"/> is one JSON value; when not, the reader's message in <paramref name="error"/>.</summary>
    public static bool IsValidJson(ReadOnlySpan<byte> utf8, out string? error)
    {
        error = null;
        if (JsonSyntax.IsPlainlyValid(utf8)) return true; // small ASCII args: one pass, no reader
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException e) { error = e.Message; return false; }
    }

    // The timeout of a call: the calling thread's CallDeadline, armed and disarmed per call (two interlocked writes, no
    // allocation) and enforced by the watchdog thread (CallWatchdog), which needs no free thread-pool thread: guests that
    // hold every pool thread still end on time. Taken out of the thread's slot while in use, so a nested call gets its own.

    public static ExpertCallResult Invoke(LoadedExpert expert, string op, byte[] opBytes, ReadOnlySpan<byte> args, CancellationToken cancellationToken)
    {
        if (!expert.IsCallable)
            return new ExpertCallResult
            {
                Outcome = ExpertCallOutcome.Unavailable, Op = op, ExpertId = expert.Id,
                Reason = expert.Binding.Fix is null ? expert.Binding.Reason : $"{expert.Binding.Reason}; fix: {expert.Binding.Fix}",
            };
        if (expert.Native is { } native) return NativeKernelInvoker.Invoke(expert, native, op, opBytes, args, cancellationToken);
        // Read once: a tier-up swap during this call does not move it; it finishes on this execution's pool.
        var execution = expert.Activate();
        if (execution is null)
            return new ExpertCallResult
            {
                Outcome = ExpertCallOutcome.Unavailable, Op = op, ExpertId = expert.Id, RuntimeId = expert.Binding.RuntimeId,
                Reason = $"expert '{expert.Id}' cannot start on {expert.Binding.RuntimeId}: {expert.ActivationFailure}",
            };
        string runtime = execution.RuntimeId;
        var limits = expert.Limits;
        var timeout = CallDeadline.RentForThread();
        // One clock read serves the deadline and the latency (which so includes renting, or making, the instance).
        long start = Stopwatch.GetTimestamp();
        timeout.Arm(limits.TimeoutMs, start);
        // The caller's token cancels the call too (no registration when it cannot be cancelled: the common case).
        var callerLink = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CallDeadline)s!).CancelCurrent(), timeout)
            : default;
        var options = new CallOptions { Fuel = limits.FuelPerCall, CancellationToken = timeout.Token };
        ExpertInstance? instance = null;
        bool healthy = false;
        try
        {
            instance = execution.Pool.Rent(options);
            // The result is parsed where the guest left it (UTF-8 in its memory): only the value's bytes are copied.
            var result = instance.Call(opBytes, args, options, limits.MaxResultBytes, ReadResult, new ResultContext(expert.Id, op, start));
            if (result is null)
            {
                healthy = true;
                return new ExpertCallResult { Outcome = ExpertCallOutcome.Declined, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Reason = $"expert '{expert.Id}' declined op '{op}' (unknown op or unusable args)", LatencyNs = LatencySince(start) };
            }
            healthy = true;
            return new ExpertCallResult { Outcome = ExpertCallOutcome.Result, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Result = result, LatencyNs = result.LatencyNs };
        }
        catch (WasmTrapException trap)
        {
            ulong latency = LatencySince(start);
            if (trap.Kind == TrapKind.Interrupted && cancellationToken.IsCancellationRequested)
                throw new OperationCanceledException("the call was cancelled", trap, cancellationToken);
            ExpertLimitKind? limit = trap.Kind switch
            {
                TrapKind.OutOfFuel => ExpertLimitKind.Fuel,
                TrapKind.Interrupted => ExpertLimitKind.Timeout,
                TrapKind.CallStackExhausted => ExpertLimitKind.CallDepth,
                _ => instance is not null && instance.Memory.Pages >= limits.MemoryPages ? ExpertLimitKind.Memory : null,
            };
            if (limit is { } l)
                return new ExpertCallResult
                {
                    Outcome = ExpertCallOutcome.LimitExceeded, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Limit = l, Trap = trap.Kind,
                    WasmStack = trap.WasmStack, LatencyNs = latency, Reason = LimitReason(l, limits, trap),
                };
            return new ExpertCallResult
            {
                Outcome = ExpertCallOutcome.Trapped, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Trap = trap.Kind, WasmStack = trap.WasmStack, LatencyNs = latency,
                Reason = trap.Kind == TrapKind.Exit ? $"the expert called proc_exit({trap.ExitCode})" : $"trap: {trap.Message}{StackSuffix(trap)}",
            };
        }
        catch (ExpertAbiException abi)
        {
            if (abi.Violation == AbiViolation.ResultTooLarge)
                return new ExpertCallResult { Outcome = ExpertCallOutcome.LimitExceeded, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Limit = ExpertLimitKind.ResultSize, Violation = abi.Violation, Reason = abi.Message };
            return new ExpertCallResult { Outcome = ExpertCallOutcome.Trapped, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Violation = abi.Violation, Reason = $"ABI violation ({abi.Violation}): {abi.Message}" };
        }
        catch (WasmLinkException link)
        {
            return new ExpertCallResult { Outcome = ExpertCallOutcome.Unavailable, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Reason = $"cannot instantiate: {link.Message}" };
        }
        finally
        {
            callerLink.Dispose(); // before disarming: waits for a callback already running, so none can hit a later call
            timeout.Disarm();
            CallDeadline.ReturnForThread(timeout);
            if (instance is not null)
            {
                if (healthy) execution.Pool.Return(instance);
                else instance.Dispose(); // a trapped or misbehaving instance is discarded; the next call gets a fresh one
            }
        }
    }

    // What the result reader needs besides the bytes; the latency is the guest call's, taken before the parse.
    private readonly record struct ResultContext(string ExpertId, string Op, long Start);

    private static readonly ExpertResultReader<ResultContext, ExpertResult> ReadResult =
        static (utf8, c) => ExpertResult.Parse(utf8, c.ExpertId, c.Op, LatencySince(c.Start));

    private static ulong LatencySince(long start) => (ulong)Stopwatch.GetElapsedTime(start).Ticks * 100;

    private static string StackSuffix(WasmTrapException trap) =>
        trap.WasmStack.Count == 0 ? "" : $" at {string.Join(" <- ", trap.WasmStack.Take(8))}";

    private static string LimitReason(ExpertLimitKind limit, EffectiveLimits limits, WasmTrapException trap) => limit switch
    {
        ExpertLimitKind.Fuel => $"fuel limit of {limits.FuelPerCall} exhausted",
        ExpertLimitKind.Timeout => $"timeout of {limits.TimeoutMs} ms exceeded",
        ExpertLimitKind.CallDepth => $"call depth limit of {limits.MaxCallDepth} exhausted (runaway recursion)",
        ExpertLimitKind.Memory => $"memory cap of {limits.MemoryPages} pages reached ({trap.Message})",
        _ => trap.Message,
    };
}
