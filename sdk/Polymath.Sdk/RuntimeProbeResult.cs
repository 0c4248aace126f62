namespace Polymath.Sdk;

/// <summary>A runtime's answer to "can you run here?".</summary>
/// <param name="IsAvailable">True when the runtime can serve on this platform.</param>
/// <param name="Reason">One human line saying why (or why not): e.g. "libwasmtime.so not found".</param>
/// <param name="Capabilities">Capabilities provided on this platform (see <see cref="Sdk.Capabilities"/>); empty when unavailable.</param>
public sealed record RuntimeProbeResult(bool IsAvailable, string Reason, IReadOnlyList<string> Capabilities)
{
    /// <summary>An available result.</summary>
    public static RuntimeProbeResult Available(string reason, IReadOnlyList<string> capabilities) => new(true, reason, capabilities);

    /// <summary>An unavailable result.</summary>
    public static RuntimeProbeResult Unavailable(string reason) => new(false, reason, []);
}
