using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polymath.Experts;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;

namespace Polymath.Runtime.Native.Tests;

/// <summary>
/// The remaining reasons a granted kernel is not used, the grant's validation, and the shadow copy's own checks.
/// </summary>
public sealed class NativeKernelDecisionTests(LuhnPackageFixture luhn) : IClassFixture<LuhnPackageFixture>, IDisposable
{
    private readonly Tools.TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private string Experts => Path.Combine(_tmp.Path, "experts");
    private string Package => Path.Combine(Experts, "luhn");

    private void CopyPackage()
    {
        foreach (string f in Directory.EnumerateFiles(luhn.Folder, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(Package, Path.GetRelativePath(luhn.Folder, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
    }

    // Replaces the package's kernel with other bytes and declares them (a consistent package whose kernel is wrong).
    private void ReplaceKernel(byte[] bytes)
    {
        string kernel = Path.Combine(Package, "native", Native.Rid, "libluhn.so");
        File.WriteAllBytes(kernel, bytes);
        string manifestPath = Path.Combine(Package, "expert.json");
        var m = ExpertManifest.Parse(File.ReadAllText(manifestPath), manifestPath);
        m = m with { Native = new Dictionary<string, PayloadReference> { [Native.Rid] = m.Native[Native.Rid] with { Sha256 = ExpertPackageReader.Sha256(bytes) } } };
        File.WriteAllText(manifestPath, m.ToJson());
    }

    private ExpertInfo Start()
    {
        using var host = ExpertHost.CreateBuilder().Configure(o =>
        {
            o.Directory = Experts;
            o.Watch = false;
            o.NativeKernels = ["luhn"];
            o.NativeKernelDirectory = Path.Combine(_tmp.Path, "shadow");
        }).AddRuntime(new InterpreterRuntimePlugin(), 10).AddRuntime(new NativeKernelRuntimePlugin(), 5).Build();
        host.StartAsync().GetAwaiter().GetResult();
        var info = Assert.Single(host.Experts);
        Assert.True(host.Call("check", """{"number":"79927398713"}""").IsResult); // the wasm fallback serves
        return info;
    }

    [Fact]
    public void AKernelThatCannotBeLoadedLeavesTheWasmBindingWithTheLoadersMessage()
    {
        CopyPackage();
        ReplaceKernel("not a shared library"u8.ToArray());
        var info = Start();
        Assert.Equal(("interpreter", ExpertStatus.Bound), (info.RuntimeId, info.Status));
        Assert.Contains($"native kernel for {Native.Rid} granted but could not be loaded:", info.Reason);
    }

    [Fact]
    public void AKernelOfAnotherExpertIsNotUsed()
    {
        CopyPackage();
        string other = Native.CompileKernel(_tmp.Path, "other", """
            #include <stdlib.h>
            #include <string.h>
            void *larql_alloc(size_t n) { return malloc(n ? n : 1); }
            void larql_dealloc(void *p, size_t n) { (void)n; free(p); }
            char *larql_call(const char *op, size_t ol, const char *a, size_t al) { (void)op; (void)ol; (void)a; (void)al; return 0; }
            char *larql_metadata(void) { const char *m = "{\"id\":\"other\",\"tier\":1,\"ops\":[\"check\"]}"; char *p = malloc(strlen(m) + 1); strcpy(p, m); return p; }
            """);
        ReplaceKernel(File.ReadAllBytes(other));
        var info = Start();
        Assert.Equal("interpreter", info.RuntimeId);
        Assert.Contains("its larql_metadata says id 'other', not 'luhn'", info.Reason);
    }

    [Fact]
    public void TheGrantIsValidatedAtStartNamingTheKey()
    {
        var options = new ExpertHostOptions { NativeKernels = ["luhn", "*", "Not An Id"] };
        var result = ExpertHostOptionsValidator.Instance.Validate(Options.DefaultName, options);
        Assert.True(result.Failed);
        Assert.Contains("Experts:NativeKernels:2: 'Not An Id' is not an expert id or '*'", result.FailureMessage);
        Assert.False(ExpertHostOptionsValidator.Instance.Validate(Options.DefaultName, new ExpertHostOptions { NativeKernels = ["luhn", "*"] }).Failed);
        Assert.True(NativeKernelBinding.IsGranted(new ExpertHostOptions { NativeKernels = ["*"] }, "luhn"));
        Assert.False(NativeKernelBinding.IsGranted(new ExpertHostOptions { NativeKernels = ["isbn"] }, "luhn"));
    }

    [Fact]
    public void TheShadowCopyIsContentAddressedVerifiedAndRewrittenWhenCorrupt()
    {
        byte[] bytes = "kernel bytes"u8.ToArray();
        string sha = ExpertPackageReader.Sha256(bytes);
        string dir = Path.Combine(_tmp.Path, "shadow");
        string path = NativeKernelShadowCopy.Place(dir, sha, "libk.so", bytes, NullLogger.Instance);
        Assert.Equal(Path.Combine(dir, sha, "libk.so"), path);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        File.WriteAllBytes(path, "tampered"u8.ToArray());
        Assert.Equal(path, NativeKernelShadowCopy.Place(dir, sha, "libk.so", bytes, NullLogger.Instance));
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(dir, sha))); // no temporary file left behind
        Assert.Throws<InvalidDataException>(() => NativeKernelShadowCopy.Place(dir, new string('0', 64), "libk.so", bytes, NullLogger.Instance));
    }
}

/// <summary>A kernel-only runtime never stands in for a WebAssembly runtime.</summary>
public sealed class KernelOnlyRuntimeTests : IDisposable
{
    private readonly Tools.TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task WithOnlyTheNativeRuntimeEveryExpertIsUnavailableWithAReason()
    {
        string experts = Path.Combine(Repository.Root, "experts");
        using var host = ExpertHost.CreateBuilder().Configure(o =>
        {
            o.Directory = experts;
            o.Watch = false;
            o.NativeKernels = ["*"];
            o.NativeKernelDirectory = Path.Combine(_tmp.Path, "shadow");
        }).AddRuntime(new NativeKernelRuntimePlugin()).Build();
        await host.StartAsync();
        Assert.NotEmpty(host.Experts);
        Assert.All(host.Experts, x =>
        {
            Assert.Equal(ExpertStatus.Unavailable, x.Status);
            Assert.Contains("no runtime can run it", x.Reason);
        });
        // The ops come from the manifest (no runtime could read the metadata): the call says unavailable and why.
        var call = host.Call("gcd", """{"a":4,"b":6}""");
        Assert.Equal(ExpertCallOutcome.Unavailable, call.Outcome);
        Assert.Contains("no runtime can run it", call.Reason);
    }
}
