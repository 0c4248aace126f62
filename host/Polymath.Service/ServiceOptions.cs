namespace Polymath.Service;

/// <summary>
/// Options of <c>polymath serve</c> (configuration section <c>Service</c>): where to listen, limits per connection
/// and for the whole service, and shutdown. Validated at start by <see cref="ServiceOptionsValidator"/>.
/// </summary>
public sealed class ServiceOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Service";

    /// <summary>
    /// The Unix domain socket to listen on (created with mode 0600). Default: <c>$XDG_RUNTIME_DIR/polymath.sock</c>,
    /// else <c>polymath-$USER/polymath.sock</c> in the temporary directory. Empty string: no Unix socket.
    /// </summary>
    public string? SocketPath { get; set; }

    /// <summary>TCP port to listen on; null (default) = no TCP listener; 0 = any free port (logged).</summary>
    public int? TcpPort { get; set; }

    /// <summary>TCP address to bind (default <c>127.0.0.1</c>). Anything not loopback also needs <see cref="AllowNonLoopback"/> and <see cref="TokenFile"/>.</summary>
    public string TcpAddress { get; set; } = "127.0.0.1";

    /// <summary>Explicit consent to bind TCP to a non-loopback address (logs a warning).</summary>
    public bool AllowNonLoopback { get; set; }

    /// <summary>A file holding the token TCP clients must send with <c>auth</c> first (required for non-loopback addresses).</summary>
    public string? TokenFile { get; set; }

    // The token, read once from TokenFile (when the options are built, by ServiceTokenLoader, or on first use): the
    // validator checks what the server then uses, so the file is never read twice nor changed in between.
    private (string? File, byte[]? Hash, string? Problem) _token;

    /// <summary>The SHA-256 of the token in <see cref="TokenFile"/>, or null with <paramref name="problem"/> saying why (null, null: no token file).</summary>
    internal byte[]? TokenHash(out string? problem)
    {
        if (string.IsNullOrEmpty(TokenFile)) { problem = null; return null; }
        if (_token.File != TokenFile) _token = Load(TokenFile);
        problem = _token.Problem;
        return _token.Hash;
    }

    private static (string?, byte[]?, string?) Load(string file)
    {
        string token;
        try
        {
            if (!File.Exists(file)) return (file, null, $"'{file}' does not exist");
            token = File.ReadAllText(file).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (file, null, $"'{file}' cannot be read: {e.Message}"); }
        return token.Length < 16
            ? (file, null, $"the token in '{file}' is shorter than 16 characters")
            : (file, System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), null);
    }

    /// <summary>Largest accepted message body in bytes (default 1 MiB).</summary>
    public int MaxMessageBytes { get; set; } = 1 << 20;

    /// <summary>Most requests in flight on one connection; further requests wait unread in the socket (default 256).</summary>
    public int MaxInFlightPerConnection { get; set; } = 256;

    /// <summary>Most open connections per listener (the Unix socket and TCP each, default 256); more are told so and closed.</summary>
    public int MaxConnections { get; set; } = 256;

    /// <summary>
    /// Most connections per listener that have not yet sent a complete message (or, on a listener with a token, not yet
    /// authenticated); more are told so and closed. Default (null): three quarters of <see cref="MaxConnections"/>, rounded up.
    /// </summary>
    public int? MaxPendingConnections { get; set; }

    /// <summary>A connection that has not sent a complete request (or authenticated, where required) this long after it opened is closed (ms, default 5,000).</summary>
    public int HandshakeTimeoutMs { get; set; } = 5_000;

    /// <summary>Threads that run guest calls for the service (default: the processor count, at least 4, so two slow guests on a small machine do not hold every thread). Guests never run on the thread pool, so the read loops, <c>health</c> and the deadlines always have threads.</summary>
    public int? GuestThreads { get; set; }

    /// <summary>Most calls waiting for a guest thread, over all connections (default 4096); further calls are answered -32003 at once.</summary>
    public int MaxQueuedCalls { get; set; } = 4096;

    /// <summary>Most bytes of calls (args and op) waiting for or on a guest thread, over all connections (default 256 MiB); further calls are answered -32003 at once.</summary>
    public long MaxQueuedBytes { get; set; } = 256L << 20;

    /// <summary>Most bytes of calls one connection may have waiting or running (default 16 MiB); beyond, the service stops reading from it (back-pressure). One call is always admitted.</summary>
    public long MaxQueuedBytesPerConnection { get; set; } = 16L << 20;

    /// <summary>
    /// How long a call of an op known to be fast may run on the connection's read loop (ms, default 5): past it, the call is
    /// interrupted and run again on a guest thread, where <c>$/cancelRequest</c> reaches it; 0 = never run calls inline.
    /// </summary>
    public int InlineBudgetMs { get; set; } = 5;

    /// <summary>The guest threads in use: <see cref="GuestThreads"/>, or the processor count (at least 4).</summary>
    public int EffectiveGuestThreads => GuestThreads ?? Math.Max(4, Environment.ProcessorCount);

    /// <summary>The pending-connection limit in use: <see cref="MaxPendingConnections"/>, or three quarters of <see cref="MaxConnections"/> rounded up.</summary>
    public int EffectiveMaxPendingConnections => MaxPendingConnections ?? Math.Max(1, MaxConnections - MaxConnections / 4);

    /// <summary>A connection with nothing in flight and no input for this long is closed (ms, default 300,000; 0 = never).</summary>
    public int IdleTimeoutMs { get; set; } = 300_000;

    /// <summary>On shutdown, how long in-flight calls may finish before they are cancelled (ms, default 10,000).</summary>
    public int DrainTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// Run socket completions inline on the socket engine's threads (default true): the read loop continues on the thread
    /// that saw the data instead of hopping to the thread pool, which cuts a thread switch from every request. Sets
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> for the process at start unless that variable is already
    /// set (the variable wins). Calls that are not known to be fast still run on the thread pool.
    /// </summary>
    public bool InlineSocketCompletions { get; set; } = true;

    /// <summary>The socket path used when <see cref="SocketPath"/> is null.</summary>
    public static string DefaultSocketPath
    {
        get
        {
            string? runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            return !string.IsNullOrEmpty(runtimeDir) && System.IO.Directory.Exists(runtimeDir)
                ? Path.Combine(runtimeDir, "polymath.sock")
                : Path.Combine(Path.GetTempPath(), $"polymath-{Environment.UserName}", "polymath.sock");
        }
    }
}
