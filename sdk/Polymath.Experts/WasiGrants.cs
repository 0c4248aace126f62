namespace Polymath.Experts;

/// <summary>The WASI facilities an operator can grant an expert. Everything not granted answers with a WASI error.</summary>
[Flags]
public enum WasiGrants
{
    /// <summary>Nothing granted.</summary>
    None = 0,
    /// <summary><c>wasi.stdio</c>: fd_write to fds 1 and 2 reaches the host log.</summary>
    Stdio = 1,
    /// <summary><c>wasi.clock</c>: clock_time_get / clock_res_get return real clocks.</summary>
    Clock = 2,
    /// <summary><c>wasi.random</c>: random_get returns cryptographically random bytes.</summary>
    Random = 4,
    /// <summary>All three.</summary>
    All = Stdio | Clock | Random,
}
