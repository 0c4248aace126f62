using System.Net;

namespace Polymath.Cluster;

/// <summary>
/// Options of <c>polymath serve --cluster</c> (configuration section <c>Cluster</c>, <c>POLYMATH_Cluster__Key</c> in the
/// environment, <c>--cluster</c>/<c>--silo-port</c>/… on the command line). Checked by <see cref="Validate"/> before
/// the silo is built: a bad value is an <see cref="ArgumentException"/> naming the key.
/// </summary>
public sealed class PolymathClusterOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Cluster";

    /// <summary><c>localhost</c> (development clustering), <c>redis://HOST:PORT</c> or <c>kubernetes</c>; null = no cluster.</summary>
    public string? Membership { get; set; }

    /// <summary>For <c>kubernetes</c>: the membership store the pods share, <c>redis://HOST:PORT</c>.</summary>
    public string? Redis { get; set; }

    /// <summary>The silo-to-silo port; 0 = any free port (default 11111).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The client gateway port; 0 = any free port (default 30000).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>For <c>localhost</c> membership: the silo port of the primary silo every other one joins (default 11111).</summary>
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>The address silo and gateway endpoints bind to and advertise (default 127.0.0.1).</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The Orleans cluster id: silos with different ids never see each other (default <c>polymath</c>).</summary>
    public string ClusterId { get; set; } = "polymath";

    /// <summary>The Orleans service id (default <c>polymath</c>).</summary>
    public string ServiceId { get; set; } = "polymath";

    /// <summary>Calls a silo runs at once before the front end sends new ones elsewhere (default: the processor count).</summary>
    public int LocalConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>Threads each silo runs expert calls on, off the Orleans scheduler (default: the processor count).</summary>
    public int WorkerThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Silos one call is tried on before it fails as <c>unavailable</c> (default 3).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The longest a call without a deadline waits for one silo (default 30,000 ms).</summary>
    public int AttemptTimeoutMs { get; set; } = 30_000;

    /// <summary>How often each front end refreshes which silo serves which expert version, and its load (default 1,000 ms).</summary>
    public int RefreshMs { get; set; } = 1_000;

    /// <summary>Membership probe timeout (default 1,000 ms); a silo is declared dead after <see cref="MissedProbes"/> misses and two votes.</summary>
    public int ProbeTimeoutMs { get; set; } = 1_000;

    /// <summary>Missed probes before a silo is suspected (default 2).</summary>
    public int MissedProbes { get; set; } = 2;

    /// <summary>How long the membership store may take to answer at start (default 3,000 ms).</summary>
    public int StoreTimeoutMs { get; set; } = 3_000;

    /// <summary>A PKCS#12 certificate file: silo-to-silo and gateway connections use mutual TLS with it.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>The password of <see cref="TlsCertificateFile"/>, if any.</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>Accept peers whose certificate does not chain to a trusted root (self-signed cluster certificates).</summary>
    public bool TlsAllowUntrusted { get; set; }

    /// <summary>
    /// The lowest level logged from Orleans' own categories (<c>Orleans.*</c>, <c>Polly</c>; default <see cref="Microsoft.Extensions.Logging.LogLevel.Warning"/>):
    /// at Information Orleans logs every placement, connection and membership step.
    /// </summary>
    public Microsoft.Extensions.Logging.LogLevel OrleansLogLevel { get; set; } = Microsoft.Extensions.Logging.LogLevel.Warning;

    /// <summary>True when a cluster is asked for.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Membership);

    /// <summary>The membership kind of <see cref="Membership"/>.</summary>
    public MembershipKind Kind => ParseMembership(Membership).Kind;

    /// <summary>The redis endpoint of a <c>redis://HOST:PORT</c> membership.</summary>
    public DnsEndPoint? RedisEndpoint => Kind == MembershipKind.Kubernetes ? ParseMembership(Redis).Redis : ParseMembership(Membership).Redis;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad key.</summary>
    public void Validate()
    {
        if (ParseMembership(Membership).Kind == MembershipKind.Kubernetes && ParseMembership(Redis).Kind != MembershipKind.Redis)
            throw Bad(nameof(Redis), "--cluster kubernetes needs the pods' membership store as Cluster:Redis=redis://HOST:PORT");
        Port(SiloPort, nameof(SiloPort));
        Port(GatewayPort, nameof(GatewayPort));
        Port(PrimarySiloPort, nameof(PrimarySiloPort));
        if (!IPAddress.TryParse(Address, out _)) throw Bad(nameof(Address), $"'{Address}' is not an IP address");
        if (string.IsNullOrWhiteSpace(ClusterId)) throw Bad(nameof(ClusterId), "must not be empty");
        if (string.IsNullOrWhiteSpace(ServiceId)) throw Bad(nameof(ServiceId), "must not be empty");
        Range(LocalConcurrency, 1, 4096, nameof(LocalConcurrency));
        Range(WorkerThreads, 1, 1024, nameof(WorkerThreads));
        Range(MaxAttempts, 1, 10, nameof(MaxAttempts));
        Range(AttemptTimeoutMs, 1, 3_600_000, nameof(AttemptTimeoutMs));
        Range(RefreshMs, 50, 60_000, nameof(RefreshMs));
        Range(ProbeTimeoutMs, 100, 60_000, nameof(ProbeTimeoutMs));
        Range(MissedProbes, 1, 10, nameof(MissedProbes));
        Range(StoreTimeoutMs, 100, 60_000, nameof(StoreTimeoutMs));
        if (!Enum.IsDefined(OrleansLogLevel)) throw Bad(nameof(OrleansLogLevel), $"{(int)OrleansLogLevel} is not a log level");
        if (TlsCertificateFile is not null && !File.Exists(TlsCertificateFile))
            throw Bad(nameof(TlsCertificateFile), $"the file '{TlsCertificateFile}' does not exist");
    }

    /// <summary>True when <see cref="Address"/> is a loopback address.</summary>
    public bool IsLoopback => IPAddress.TryParse(Address, out var a) && IPAddress.IsLoopback(a);

    private static (MembershipKind Kind, DnsEndPoint? Redis) ParseMembership(string? membership)
    {
        if (string.IsNullOrWhiteSpace(membership)) return (MembershipKind.None, null);
        if (membership == "localhost") return (MembershipKind.Localhost, null);
        if (membership == "kubernetes") return (MembershipKind.Kubernetes, null);
        if (membership.StartsWith("redis://", StringComparison.Ordinal)
            && Uri.TryCreate(membership, UriKind.Absolute, out var uri) && uri.Host.Length > 0 && uri.Port is > 0 and <= 65535
            && uri.AbsolutePath is "" or "/" && uri.Query.Length == 0)
            return (MembershipKind.Redis, new DnsEndPoint(uri.Host, uri.Port));
        throw Bad(nameof(Membership), $"'{membership}' is not localhost, redis://HOST:PORT or kubernetes");
    }

    private static void Port(int value, string key) => Range(value, 0, 65535, key);

    private static void Range(int value, int min, int max, string key)
    {
        if (value < min || value > max) throw Bad(key, $"{value} is outside {min}..{max}");
    }

    private static ArgumentException Bad(string key, string problem) => new($"{SectionName}:{key}: {problem}", key);
}

/// <summary>How the silos find each other.</summary>
public enum MembershipKind
{
    /// <summary>No cluster.</summary>
    None,
    /// <summary>Orleans development clustering on one machine (a primary silo on <see cref="PolymathClusterOptions.PrimarySiloPort"/>).</summary>
    Localhost,
    /// <summary>Orleans Redis membership (<c>redis://HOST:PORT</c>).</summary>
    Redis,
    /// <summary>Orleans Kubernetes hosting (pods as silos; the membership store is still needed: see docs/cluster.md).</summary>
    Kubernetes,
}
