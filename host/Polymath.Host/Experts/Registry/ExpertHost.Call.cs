using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

// Calls: the public call overloads and the one traced path they share (the lifecycle is in ExpertHost.cs).
public sealed partial class ExpertHost
{
    /// <summary>
    /// Calls <paramref name="op"/> with <paramref name="argsJson"/> (a JSON text; null or empty means <c>{}</c>) on the
    /// thread pool (see <see cref="Call(string, ReadOnlySpan{byte}, CancellationToken)"/>).
    /// </summary>
    public Task<ExpertCallResult> CallAsync(string op, string? argsJson = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Call(op, argsJson, cancellationToken), cancellationToken);

    /// <summary>
    /// Calls <paramref name="op"/> with <paramref name="argsJson"/> (a JSON text; null or white space means <c>{}</c>):
    /// encodes it to UTF-8 (on the stack, pooled when large) and calls it as <see cref="Call(string, ReadOnlySpan{byte}, CancellationToken)"/>
    /// does, without checking the UTF-8 again (the encoder made it).
    /// </summary>
    public ExpertCallResult Call(string op, string? argsJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (string.IsNullOrWhiteSpace(argsJson)) return Call(op, "{}"u8, cancellationToken);
        // The caller's args are bounded before anything is copied or encoded: a UTF-16 char is 1 to 3 UTF-8 bytes, so
        // only a string between cap/3 and cap chars needs counting (no allocation).
        if (argsJson.Length > _maxArgsBytes || ((long)argsJson.Length * 3 > _maxArgsBytes && Encoding.UTF8.GetByteCount(argsJson) > _maxArgsBytes))
            return ArgsTooLarge(op);
        int maxArgBytes = Encoding.UTF8.GetMaxByteCount(argsJson.Length);
        byte[]? rentedArgs = maxArgBytes > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(maxArgBytes) : null;
        // Sized to the args (the runtime zeroes a stackalloc; 512 bytes for a 15-char args was a memset per call).
        Span<byte> argsBuffer = rentedArgs is null ? stackalloc byte[maxArgBytes] : rentedArgs;
        // Encoding a string gives valid UTF-8 (a lone surrogate becomes U+FFFD): only the JSON is left to check.
        try { return CallTraced(op, argsBuffer[..Encoding.UTF8.GetBytes(argsJson, argsBuffer)], ArgsCheck.Json, cancellationToken); }
        finally { if (rentedArgs is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rentedArgs); }
    }

    /// <summary>
    /// Calls <paramref name="op"/> with <paramref name="argsUtf8"/>, the UTF-8 JSON text of the args (empty or white space
    /// means <c>{}</c>), synchronously on the calling thread: the primary call. The bytes are checked once (size cap,
    /// UTF-8, JSON) and handed to the guest as they are. Never throws for guest misbehaviour: every failure is an outcome.
    /// Throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <remarks>Emits a <see cref="Telemetry.PolymathTelemetry.CallActivityName"/> activity and call metrics when something listens.</remarks>
    public ExpertCallResult Call(string op, ReadOnlySpan<byte> argsUtf8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        return CallTraced(op, argsUtf8, ArgsCheck.Json | ArgsCheck.Utf8, cancellationToken);
    }

    /// <summary>
    /// Calls <paramref name="op"/> with <paramref name="args"/>, a value of a parsed document (for a front end that has
    /// parsed its request already): its raw UTF-8 goes to the guest without a copy, and is not parsed again
    /// (<see cref="CallParsed"/>). An undefined element means <c>{}</c>.
    /// </summary>
    public ExpertCallResult Call(string op, JsonElement args, CancellationToken cancellationToken = default) =>
        CallParsed(op, args.ValueKind == JsonValueKind.Undefined ? default : JsonMarshal.GetRawUtf8Value(args), cancellationToken);

    /// <summary>
    /// Calls <paramref name="op"/> with <paramref name="argsJsonUtf8"/>, UTF-8 JSON text the caller has already parsed
    /// (the service's <c>args</c>, a value of its request): only its size and its strings' UTF-8 are checked, which a
    /// parse does not do; it is not parsed again. Empty means <c>{}</c>. Text that was not parsed goes to
    /// <see cref="Call(string, ReadOnlySpan{byte}, CancellationToken)"/>, which checks it.
    /// </summary>
    public ExpertCallResult CallParsed(string op, ReadOnlySpan<byte> argsJsonUtf8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        return CallTraced(op, argsJsonUtf8.IsEmpty ? "{}"u8 : argsJsonUtf8, ArgsCheck.Utf8, cancellationToken);
    }

    /// <summary>What is still to be checked of a call's args bytes (each is checked once, by whoever can).</summary>
    [Flags]
    private enum ArgsCheck
    {
        /// <summary>That they are one JSON value (white space only means <c>{}</c>); not when the caller parsed them.</summary>
        Json = 1,
        /// <summary>That they are valid UTF-8 (a parse does not check inside strings); not when they were encoded from a string.</summary>
        Utf8 = 2,
    }

    private ExpertCallResult CallTraced(string op, ReadOnlySpan<byte> args, ArgsCheck checks, CancellationToken cancellationToken)
    {
        if (!Telemetry.PolymathTelemetry.Enabled) return CallUntraced(op, args, checks, cancellationToken);
        // Only when something listens (an activity is made anyway): the args are copied for the state.
        return Telemetry.PolymathTelemetry.Record(op, (Host: this, Op: op, Args: args.ToArray(), Checks: checks, Token: cancellationToken),
            static s => s.Host.CallUntraced(s.Op, s.Args, s.Checks, s.Token), static (s, o) => s.Host.VersionOf(o));
    }

    /// <summary>The version of the expert that serves <paramref name="op"/> now (telemetry).</summary>
    private string? VersionOf(string op) =>
        Volatile.Read(ref _table).Ops.TryGetValue(op, out var route) ? route.Expert.Package.Manifest?.Version ?? route.Expert.Metadata?.Version : null;

    private ExpertCallResult ArgsTooLarge(string op) => new()
    {
        Outcome = ExpertCallOutcome.InvalidArgs, Op = op, // attributed to the caller: no expert id
        Reason = $"the args are larger than the host's cap of {_maxArgsBytes} bytes ({ExpertHostOptions.SectionName}:Limits:MaxArgsBytes)",
    };

    private ExpertCallResult CallUntraced(string op, ReadOnlySpan<byte> args, ArgsCheck checks, CancellationToken cancellationToken)
    {
        if (op.Length == 0) return new ExpertCallResult { Outcome = ExpertCallOutcome.InvalidArgs, Op = op, Reason = "the op name is empty" };
        if (args.Length > _maxArgsBytes) return ArgsTooLarge(op);
        if ((checks & ArgsCheck.Json) != 0)
        {
            if (args.IndexOfAnyExcept(" \t\r\n"u8) < 0) args = "{}"u8;
            else if (!ExpertInvoker.IsValidJson(args, out string? jsonError))
                return new ExpertCallResult { Outcome = ExpertCallOutcome.InvalidArgs, Op = op, Reason = $"args are not valid JSON: {jsonError}" };
        }
        // A parse does not check the UTF-8 inside strings: checked here, once, on the bytes (vectorized, no allocation).
        if ((checks & ArgsCheck.Utf8) != 0 && !System.Text.Unicode.Utf8.IsValid(args))
            return new ExpertCallResult { Outcome = ExpertCallOutcome.InvalidArgs, Op = op, Reason = "args are not valid UTF-8" };

        for (int attempt = 0; ; attempt++)
        {
            var table = Volatile.Read(ref _table);
            if (!table.Ops.TryGetValue(op, out var route))
                return table.Unreadable.Count == 0
                    ? new ExpertCallResult { Outcome = ExpertCallOutcome.UnknownOp, Op = op, Reason = $"no expert advertises op '{op}'" }
                    : UnreadableOps(op, table);
            var expert = route.Expert;
            if (!expert.TryAcquire())
            {
                if (attempt < 100) { Thread.Yield(); continue; } // retired between the read and the acquire: take the new table
                return new ExpertCallResult { Outcome = ExpertCallOutcome.Unavailable, Op = op, ExpertId = expert.Id, Reason = "the expert is being replaced; try again" };
            }
            try { return ExpertInvoker.Invoke(expert, op, route.OpUtf8, args, cancellationToken); }
            finally { expert.Release(); }
        }
    }

    /// <summary>No readable expert has the op, but some experts' ops are unknown: say why instead of <c>unknown_op</c>.</summary>
    private static ExpertCallResult UnreadableOps(string op, OpTable table)
    {
        var first = table.Unreadable[0];
        string more = table.Unreadable.Count == 1 ? "" : $" (and {table.Unreadable.Count - 1} more)";
        string fix = first.Binding.Fix is null ? "" : $"; fix: {first.Binding.Fix}";
        return new ExpertCallResult
        {
            Outcome = ExpertCallOutcome.Unavailable, Op = op,
            Reason = $"no loaded expert advertises op '{op}', and the ops of expert '{first.Id}'{more} are unknown because it cannot run here: {first.Binding.Reason}{fix}",
        };
    }
}
