using System.Collections.Concurrent;
using System.Text.Json;
using Polymath.Experts;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;

namespace Polymath.Runtime.Native.Tests;

/// <summary>The luhn package with its kernel for this platform (experts/build.sh --native --packages), built once.</summary>
public sealed class LuhnPackageFixture : IDisposable
{
    private readonly Tools.TempDir _tmp = new();

    public LuhnPackageFixture() => Folder = Path.Combine(Native.BuildPackages(_tmp.Path, "luhn"), "luhn");

    /// <summary>The built package folder (copy it before changing anything).</summary>
    public string Folder { get; }

    public void Dispose() => _tmp.Dispose();
}

/// <summary>
/// The host's side: a native kernel binds only with the operator's grant, only when the package has one for this
/// platform and the native runtime is available, otherwise the wasm binding stands and the listing says why; the
/// package's hash covers the kernel; the loaded file is a shadow copy, so the package can be replaced under load.
/// </summary>
public sealed class BindingTests(LuhnPackageFixture luhn) : IClassFixture<LuhnPackageFixture>, IDisposable
{
    private const string Number = """{"number":"4539578763621486"}""";
    private readonly Tools.TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private string Experts => Path.Combine(_tmp.Path, "experts");
    private string Shadow => Path.Combine(_tmp.Path, "shadow");
    private string Package => Path.Combine(Experts, "luhn");
    private string Kernel => Path.Combine(Package, "native", Native.Rid, "libluhn.so");

    private void CopyPackage()
    {
        foreach (string f in Directory.EnumerateFiles(luhn.Folder, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(Package, Path.GetRelativePath(luhn.Folder, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
    }

    private ExpertHost Start(string[] grants, bool nativeRuntime = true, string? platform = null, bool watch = false, Action<ExpertHostOptions>? more = null)
    {
        var builder = ExpertHost.CreateBuilder().Configure(o =>
        {
            o.Directory = Experts;
            o.Watch = watch;
            o.DebounceMs = 50;
            o.Platform = platform;
            o.NativeKernels = [.. grants];
            o.NativeKernelDirectory = Shadow;
            more?.Invoke(o);
        }).AddRuntime(new InterpreterRuntimePlugin(), 10);
        if (nativeRuntime) builder.AddRuntime(new NativeKernelRuntimePlugin(), 5);
        var host = builder.Build();
        host.StartAsync().GetAwaiter().GetResult();
        return host;
    }

    private static ExpertInfo Luhn(ExpertHost host) => Assert.Single(host.Experts, e => e.Id == "luhn");

    [Fact]
    public void WithoutAGrantTheExpertBindsToWasmAndSaysTheKernelWasNotGranted()
    {
        CopyPackage();
        using var host = Start([]);
        var info = Luhn(host);
        Assert.Equal(("interpreter", ExpertStatus.Bound), (info.RuntimeId, info.Status));
        Assert.Contains($"native kernel for {Native.Rid} present but not granted", info.Reason);
        Assert.Equal("interpreter", host.Call("check", Number).RuntimeId);
        Assert.False(Directory.Exists(Shadow)); // nothing was copied or loaded
    }

    [Theory]
    [InlineData("luhn")]
    [InlineData("*")]
    public void WithAGrantCallsRunOnTheShadowCopiedKernel(string grant)
    {
        CopyPackage();
        using var host = Start([grant]);
        var info = Luhn(host);
        Assert.Equal(("native", ExpertStatus.Bound), (info.RuntimeId, info.Status));
        Assert.Contains("granted by the operator", info.Reason);
        Assert.Contains("no fuel, timeout or memory cap", info.Reason);
        Assert.Contains("fallback on interpreter", info.Reason);

        string sha = ExpertPackageReader.Sha256(File.ReadAllBytes(Kernel));
        string copy = Path.Combine(Shadow, sha, "libluhn.so");
        Assert.True(File.Exists(copy), $"no shadow copy at {copy}");
        Assert.Equal(1, SharedNativeKernels.References(copy));

        using var wasm = Start([], nativeRuntime: false);
        foreach (string args in new[] { Number, """{"number":"4539578763621487"}""", """{"number":"7992739871"}""" })
        {
            var viaNative = host.Call("check", args);
            var viaWasm = wasm.Call("check", args);
            Assert.True(viaNative.IsResult, viaNative.Reason);
            Assert.Equal("native", viaNative.RuntimeId);
            Assert.Equal(viaWasm.Result!.Value.GetRawText(), viaNative.Result!.Value.GetRawText());
        }
        var declined = host.Call("check", """{"number":"abc"}""");
        Assert.Equal((ExpertCallOutcome.Declined, "native"), (declined.Outcome, declined.RuntimeId));

        host.Dispose();
        Assert.Equal(0, SharedNativeKernels.References(copy)); // released with the expert
    }

    [Fact]
    public void TheResultCapStillApplies()
    {
        CopyPackage();
        using var host = Start(["luhn"], more: o => o.Limits = o.Limits with { MaxResultBytes = 8 });
        var r = host.Call("check", Number);
        Assert.Equal((ExpertCallOutcome.LimitExceeded, ExpertLimitKind.ResultSize, "native"), (r.Outcome, r.Limit, r.RuntimeId));
        Assert.Equal(AbiViolation.ResultTooLarge, r.Violation);
        Assert.Contains("8 bytes", r.Reason);
    }

    [Fact]
    public void GrantedWithoutANativeRuntimeSaysSo()
    {
        CopyPackage();
        using var host = Start(["*"], nativeRuntime: false);
        var info = Luhn(host);
        Assert.Equal("interpreter", info.RuntimeId);
        Assert.Contains($"native kernel for {Native.Rid} granted but no native kernel runtime is configured", info.Reason);
    }

    [Fact]
    public void GrantedOnAnotherPlatformSaysThereIsNoKernelForIt()
    {
        CopyPackage();
        using var host = Start(["luhn"], platform: "linux-arm64");
        var info = Luhn(host);
        Assert.Equal("interpreter", info.RuntimeId);
        Assert.Contains($"native kernel granted but the package has none for linux-arm64 (it has {Native.Rid})", info.Reason);
    }

    [Fact]
    public void GrantedButThePackageShipsNoKernelSaysSo()
    {
        CopyPackage();
        string manifest = Path.Combine(Package, "expert.json");
        var m = ExpertManifest.Parse(File.ReadAllText(manifest), manifest) with { Native = new Dictionary<string, PayloadReference>() };
        File.WriteAllText(manifest, m.ToJson());
        using var host = Start(["luhn"]);
        Assert.Contains("native kernel granted but the package ships none", Luhn(host).Reason);
    }

    [Fact]
    public void AKernelThatDoesNotMatchItsHashIsRejectedWithThePackage()
    {
        CopyPackage();
        var bytes = File.ReadAllBytes(Kernel);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(Kernel, bytes);
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(Package));
        Assert.Contains($"payloads.native.{Native.Rid}.sha256", e.Message);

        using var host = Start(["luhn"]);
        var info = Luhn(host);
        Assert.Equal(ExpertStatus.Unavailable, info.Status);
        Assert.Contains($"payloads.native.{Native.Rid}.sha256", info.Reason);
        Assert.False(Directory.Exists(Shadow));
    }

    [Fact]
    public void PackIncludesTheKernelAndAZippedPackageBindsNatively()
    {
        CopyPackage();
        string zip = Path.Combine(_tmp.Path, "zipped", "luhn.expert");
        Directory.CreateDirectory(Path.GetDirectoryName(zip)!);
        var (manifest, written) = ExpertPacker.Pack(Package, zip);
        Assert.Equal(zip, written);
        Assert.True(manifest.Native.ContainsKey(Native.Rid));
        var package = ExpertPackageReader.Read(zip);
        Assert.Equal(File.ReadAllBytes(Kernel), package.Native[Native.Rid]);

        Directory.Delete(Experts, true);
        Directory.CreateDirectory(Experts);
        File.Copy(zip, Path.Combine(Experts, "luhn.expert"));
        using var host = Start(["luhn"]);
        Assert.Equal("native", Luhn(host).RuntimeId);
        Assert.True(host.Call("check", Number).IsResult);

        // The same zip with one byte of the kernel changed is rejected, naming the field.
        string tampered = Path.Combine(_tmp.Path, "zipped", "tampered.expert");
        File.Copy(zip, tampered);
        using (var archive = System.IO.Compression.ZipFile.Open(tampered, System.IO.Compression.ZipArchiveMode.Update))
        {
            string name = $"native/{Native.Rid}/libluhn.so";
            var kernel = archive.GetEntry(name)!;
            byte[] data;
            using (var ms = new MemoryStream()) { using (var s = kernel.Open()) s.CopyTo(ms); data = ms.ToArray(); }
            kernel.Delete();
            data[^1] ^= 0xFF;
            using var w = archive.CreateEntry(name).Open();
            w.Write(data);
        }
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(tampered));
        Assert.Contains($"payloads.native.{Native.Rid}.sha256", e.Message);
    }

    [Fact]
    public async Task ThePackageIsReplacedUnderLoadWithZeroFailedCalls()
    {
        CopyPackage();
        using var host = Start(["luhn"], watch: true);
        string oldCopy = Path.Combine(Shadow, ExpertPackageReader.Sha256(File.ReadAllBytes(Kernel)), "libluhn.so");
        Assert.Equal("native", Luhn(host).RuntimeId);

        var failures = new ConcurrentQueue<string>();
        int calls = 0;
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var r = host.Call("check", Number);
                Interlocked.Increment(ref calls);
                if (!r.IsResult || r.Result!.Value.ValueKind != JsonValueKind.True)
                    failures.Enqueue($"{r.OutcomeName} on {r.RuntimeId}: {r.Reason}");
            }
        })).ToArray();

        await Task.Delay(200);
        // A new version: the same code with 64 bytes appended (a different file, still a valid ELF), written over the
        // package's kernel in place — fatal if that file were the one mapped into the process — then its manifest.
        var bytes = File.ReadAllBytes(Kernel).Concat(new byte[64]).ToArray();
        File.WriteAllBytes(Kernel, bytes);
        await Task.Delay(300);
        string manifestPath = Path.Combine(Package, "expert.json");
        var manifest = ExpertManifest.Parse(File.ReadAllText(manifestPath), manifestPath);
        string newSha = ExpertPackageReader.Sha256(bytes);
        manifest = manifest with
        {
            Version = "0.2.1",
            Native = new Dictionary<string, PayloadReference> { [Native.Rid] = manifest.Native[Native.Rid] with { Sha256 = newSha } },
        };
        File.WriteAllText(manifestPath, manifest.ToJson());

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Luhn(host).Version != "0.2.1" && DateTime.UtcNow < deadline) await Task.Delay(50);
        await Task.Delay(300);
        stop.Cancel();
        await Task.WhenAll(callers);

        var info = Luhn(host);
        Assert.Equal(("0.2.1", "native"), (info.Version, info.RuntimeId));
        Assert.Contains(newSha[..12], info.Reason);
        Assert.True(calls > 100, $"only {calls} calls");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {calls} calls failed, first: {failures.FirstOrDefault()}");
        Assert.Equal(0, SharedNativeKernels.References(oldCopy)); // the old version was retired and its kernel released
        Assert.Equal(1, SharedNativeKernels.References(Path.Combine(Shadow, newSha, "libluhn.so")));
    }
}
