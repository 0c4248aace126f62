using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Polymath.Cluster.Tests;

/// <summary>
/// Inter-silo TLS (<c>Cluster:TlsCertificateFile</c>, Microsoft.Orleans.Connections.Security) between two real
/// <c>polymath serve --cluster redis://…</c> processes: a call that only the other silo can answer crosses the TLS link,
/// and a silo without the certificate never joins.
/// </summary>
public sealed class TlsClusterTests
{
    // Failure detection at its defaults: with probes of 500 ms, the first TLS handshakes on a loaded 2-core machine were
    // slow enough (1 run in 3) for the joining silo to be voted dead (it then exits with code 3: SiloDeclaredDeadTests).
    private static readonly string[] Settings = ["--Cluster:RefreshMs=200", "--Cluster:WorkerThreads=2"];

    /// <summary>A self-signed certificate for server and client authentication, written as PKCS#12 with a password.</summary>
    private static string WriteCertificate(string folder, string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=polymath-cluster-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client authentication
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string file = Path.Combine(folder, "cluster.pfx");
        File.WriteAllBytes(file, certificate.Export(X509ContentType.Pkcs12, password));
        return file;
    }

    /// <summary>An experts folder holding only the luhn package: gcd is not here.</summary>
    private static string LuhnOnly(string folder)
    {
        string experts = Path.Combine(folder, "experts");
        string luhn = Path.Combine(experts, "luhn");
        Directory.CreateDirectory(luhn);
        foreach (string f in new[] { "expert.json", "luhn.wasm" })
            File.Copy(Path.Combine(Repository.ExpertsDirectory, "luhn", f), Path.Combine(luhn, f));
        return experts;
    }

    [Fact]
    public async Task CallsCrossTheTlsLinkAndASiloWithoutTheCertificateNeverJoins()
    {
        var folder = Directory.CreateTempSubdirectory("pm-tls-");
        try
        {
            string pfx = WriteCertificate(folder.FullName, "s3cret");
            string[] tls = [.. Settings, $"--Cluster:TlsCertificateFile={pfx}", "--Cluster:TlsCertificatePassword=s3cret", "--Cluster:TlsAllowUntrusted=true"];
            using var redis = await RedisServer.StartAsync();
            string cluster = $"tls-{Guid.NewGuid():N}"[..12];
            await using var front = ServeSilo.Start(redis.Membership, cluster, LuhnOnly(folder.FullName), tls);
            await using var back = ServeSilo.Start(redis.Membership, cluster, Repository.ExpertsDirectory, tls);
            await front.WaitForActiveAsync(2, TimeSpan.FromSeconds(90));
            Assert.Contains("(TLS)", front.Stderr, StringComparison.Ordinal);

            // gcd lives only on the other silo: the answer came over the TLS connection.
            await using (var client = await Polymath.Client.PolymathClient.ConnectAsync(front.Socket))
            {
                var answer = await client.CallAsync("gcd", """{"a":12,"b":18}""");
                Assert.True(answer.IsResult, $"{answer.Outcome}: {answer.Reason}");
                Assert.Equal("6", answer.Value?.GetRawText());
            }
            // The front end's view of the other silo's counters is refreshed every RefreshMs: wait for it.
            string backAddress = await back.AddressAsync();
            var seenBy = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while ((await front.SilosAsync())[backAddress].Calls == 0)
            {
                Assert.True(DateTime.UtcNow < seenBy, "the call did not run on the silo that has gcd");
                await Task.Delay(100);
            }

            // A silo of the same cluster without the certificate cannot talk to them: it is never an active member.
            await using var plain = ServeSilo.Start(redis.Membership, cluster, Repository.ExpertsDirectory, Settings);
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(12); // a TLS silo joins in ~2-5 s here
            while (DateTime.UtcNow < until)
            {
                var active = (await front.SilosAsync()).Where(s => s.Value.Status == "Active").Select(s => s.Key).ToList();
                Assert.True(active.Count <= 2, $"a silo without the certificate became active: {string.Join(", ", active)}\n{plain.Stderr}");
                await Task.Delay(250);
            }
            await using (var client = await Polymath.Client.PolymathClient.ConnectAsync(front.Socket))
                Assert.Equal("6", (await client.CallAsync("gcd", """{"a":48,"b":18}""")).Value?.GetRawText());
        }
        finally
        {
            try { folder.Delete(true); } catch (IOException) { }
        }
    }
}
