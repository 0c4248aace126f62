using System.Diagnostics;
using Polymath.Experts;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// Runs one call of an expert bound to its native kernel (<see cref="NativeKernelBinding"/>) and turns the ABI checks
/// that still apply into the same outcomes as on WebAssembly: declined (NULL), result cap (the NUL is looked for in at most
/// the cap + 1 bytes), invalid UTF-8 or JSON, allocation failure. There is no fuel, timeout or memory cap: the kernel is
/// native code and runs to completion on the calling thread; cancellation is honoured only before the call starts.
/// </summary>
internal static class NativeKernelInvoker
{
    public static ExpertCallResult Invoke(LoadedExpert expert, NativeKernelBinding native, string op, byte[] opBytes, ReadOnlySpan<byte> args, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string runtime = native.RuntimeId;
        long start = Stopwatch.GetTimestamp();
        try
        {
            string? json = native.Kernel.Call(opBytes, args, expert.Limits.MaxResultBytes);
            ulong latency = (ulong)Stopwatch.GetElapsedTime(start).Ticks * 100;
            if (json is null)
                return new ExpertCallResult { Outcome = ExpertCallOutcome.Declined, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Reason = $"expert '{expert.Id}' declined op '{op}' (unknown op or unusable args)", LatencyNs = latency };
            var result = ExpertResult.Parse(json, expert.Id, op, latency);
            return new ExpertCallResult { Outcome = ExpertCallOutcome.Result, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Result = result, LatencyNs = latency };
        }
        catch (NativeKernelAbiException e) when (e.Error == NativeKernelAbiError.ResultTooLarge)
        {
            return new ExpertCallResult { Outcome = ExpertCallOutcome.LimitExceeded, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Limit = ExpertLimitKind.ResultSize, Violation = AbiViolation.ResultTooLarge, Reason = e.Message };
        }
        catch (NativeKernelAbiException e)
        {
            var violation = e.Error == NativeKernelAbiError.AllocFailed ? AbiViolation.AllocFailed : AbiViolation.InvalidResult;
            return new ExpertCallResult { Outcome = ExpertCallOutcome.Trapped, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Violation = violation, Reason = $"ABI violation ({violation}) by the native kernel: {e.Message}" };
        }
        catch (ExpertAbiException abi)
        {
            return new ExpertCallResult { Outcome = ExpertCallOutcome.Trapped, Op = op, ExpertId = expert.Id, RuntimeId = runtime, Violation = abi.Violation, Reason = $"ABI violation ({abi.Violation}) by the native kernel: {abi.Message}" };
        }
    }
}
