using System.Diagnostics;
using Polymath.Experts;
using Polymath.Host.Experts;

namespace Polymath.Runtime.Native.Tests;

/// <summary>
/// Issue #24 item 6: between the check of a kernel and its load nobody else may change it. Another user (nobody, via
/// setpriv) runs a swapper that keeps putting a kernel of its own — one whose constructor writes a marker — where the
/// host's shadow copy goes, renaming away whatever it does not own. A kernel directory writable by others is refused
/// (the expert stays on WebAssembly and says why); a private one is used, and the swapper cannot reach it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KernelDirectoryTests(LuhnPackageFixture luhn) : IClassFixture<LuhnPackageFixture>, IDisposable
{
    private const string Number = """{"number":"4539578763621486"}""";
    private const int Runs = 8;
    private readonly Tools.TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private string Experts => Path.Combine(_tmp.Path, "experts");
    private string Marker => Path.Combine(_tmp.Path, "evil.loaded");
    private string Sha => ExpertPackageReader.Sha256(File.ReadAllBytes(Path.Combine(Experts, "luhn", "native", Native.Rid, "libluhn.so")));

    // The genuine package in experts/luhn; the other user's kernel (a working luhn whose constructor writes the marker)
    // in evil/libluhn.so, readable by nobody. The temporary directory is opened to others (0755) so nobody can reach it.
    private string Setup()
    {
        File.SetUnixFileMode(_tmp.Path, (UnixFileMode)0b111_101_101);
        Native.CopyTree(luhn.Folder, Path.Combine(Experts, "luhn"));
        string evilPackage = Path.Combine(_tmp.Path, "evil-package");
        Native.LuhnPackageWithMarker(luhn.Folder, evilPackage, Marker);
        string evil = Path.Combine(_tmp.Path, "evil");
        Directory.CreateDirectory(evil);
        File.Copy(Path.Combine(evilPackage, "native", Native.Rid, "libluhn.so"), Path.Combine(evil, "libluhn.so"));
        File.SetUnixFileMode(evil, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(evil, "libluhn.so"), (UnixFileMode)0b110_100_100);
        return Path.Combine(evil, "libluhn.so");
    }

    // The other user's loop: wherever <dir>/<sha>/ is not its own it renames it away (possible in a directory writable by
    // others without the sticky bit), recreates it open to all and renames its kernel in as libluhn.so, forever.
    private const string SwapperSource = """
        #include <fcntl.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <sys/stat.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            if (argc != 4) return 2;
            static char buf[1 << 22]; char d[4096], f[4096], t[4096], g[4096];
            int e = open(argv[3], O_RDONLY); if (e < 0) { perror(argv[3]); return 1; }
            ssize_t n = read(e, buf, sizeof buf); close(e); if (n <= 0) return 1;
            snprintf(d, sizeof d, "%s/%s", argv[1], argv[2]);
            snprintf(f, sizeof f, "%s/libluhn.so", d);
            snprintf(t, sizeof t, "%s/.swap", d);
            for (unsigned long i = 0;; i++) {
                struct stat st;
                if (lstat(d, &st) == 0 && st.st_uid != getuid()) { snprintf(g, sizeof g, "%s/gone.%lu", argv[1], i); rename(d, g); }
                mkdir(d, 0777); chmod(d, 0777);
                int w = open(t, O_WRONLY | O_CREAT | O_TRUNC, 0666);
                if (w >= 0) { if (write(w, buf, (size_t)n) != n) {} close(w); rename(t, f); }
            }
        }
        """;

    private Process StartSwapper(string directory, string evil)
    {
        string setpriv = Native.RequireRootAndSetpriv();
        string src = Path.Combine(_tmp.Path, "swapper.c"), exe = Path.Combine(_tmp.Path, "swapper");
        File.WriteAllText(src, SwapperSource);
        Tools.Run(Tools.Require("gcc", "apt-get install gcc"), _tmp.Path, "-O2", "-o", exe, src);
        File.SetUnixFileMode(exe, (UnixFileMode)0b111_101_101);
        var psi = new ProcessStartInfo(setpriv) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", exe, directory, Sha, evil }) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static void Stop(Process swapper)
    {
        try { swapper.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        swapper.WaitForExit(5000);
        swapper.Dispose();
    }

    [Fact]
    public void AKernelDirectoryWritableByOthersIsRefusedWhileAnotherUserSwapsTheKernel()
    {
        string evil = Setup();
        string shared = Path.Combine(_tmp.Path, "shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, (UnixFileMode)0b111_111_111); // 0777, no sticky bit
        var swapper = StartSwapper(shared, evil);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!File.Exists(Path.Combine(shared, Sha, "libluhn.so")) && !swapper.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(10);
            if (swapper.HasExited) Assert.Fail($"the swapper (as nobody) exited {swapper.ExitCode}: {swapper.StandardError.ReadToEnd()}");
            Assert.True(File.Exists(Path.Combine(shared, Sha, "libluhn.so")), "the swapper never placed its kernel");

            for (int run = 0; run < Runs; run++)
            {
                using var host = Native.StartHost(Experts, shared, ["luhn"]);
                var info = Assert.Single(host.Experts, e => e.Id == "luhn");
                Assert.Equal(("interpreter", ExpertStatus.Bound), (info.RuntimeId, info.Status));
                Assert.Contains("is writable by other users (mode 0777)", info.Reason);
                var r = host.Call("check", Number);
                Assert.Equal("interpreter", r.RuntimeId);
                Assert.True(r.Result!.Value.GetBoolean());
            }
        }
        finally { Stop(swapper); }
        Assert.False(File.Exists(Marker), "the other user's kernel was loaded into the host");
    }

    [Fact]
    public void APrivateKernelDirectoryIsUsedAndTheOtherUserCannotReachIt()
    {
        string evil = Setup();
        string mine = Path.Combine(_tmp.Path, "mine");
        var swapper = StartSwapper(mine, evil); // fails to create or enter anything there: mine is 0700 root
        try
        {
            for (int run = 0; run < Runs; run++)
            {
                using var host = Native.StartHost(Experts, mine, ["luhn"]);
                var info = Assert.Single(host.Experts, e => e.Id == "luhn");
                Assert.Equal(("native", ExpertStatus.Bound), (info.RuntimeId, info.Status));
                Assert.Equal("native", host.Call("check", Number).RuntimeId);
            }
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(mine));
        }
        finally { Stop(swapper); }
        Assert.False(File.Exists(Marker), "the other user's kernel was loaded into the host");
    }

    [Fact]
    public void ADirectoryOwnedByAnotherUserIsRefused()
    {
        Setup();
        Native.RequireRootAndSetpriv();
        string theirs = Path.Combine(_tmp.Path, "theirs");
        Directory.CreateDirectory(theirs);
        Tools.Run(Tools.Require("chown", "apt-get install coreutils"), _tmp.Path, "65534:65534", theirs);
        using var host = Native.StartHost(Experts, theirs, ["luhn"]);
        var info = Assert.Single(host.Experts, e => e.Id == "luhn");
        Assert.Equal("interpreter", info.RuntimeId);
        Assert.Contains($"{theirs} is owned by uid 65534", info.Reason);
    }

    [Theory]
    [InlineData(0b111_111_111, false)]    // 0777: another user can rename the private directory below away
    [InlineData(0b1_111_111_111, true)]   // 01777 (like /tmp): the sticky bit stops that
    public void AnAncestorWritableByOthersIsRefusedUnlessSticky(int mode, bool used)
    {
        Setup();
        string open = Path.Combine(_tmp.Path, "open");
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, (UnixFileMode)mode);
        using var host = Native.StartHost(Experts, Path.Combine(open, "kernels"), ["luhn"]);
        var info = Assert.Single(host.Experts, e => e.Id == "luhn");
        Assert.Equal(used ? "native" : "interpreter", info.RuntimeId);
        if (!used) Assert.Contains($"{open} is writable by other users", info.Reason);
    }

    [Fact]
    public void AShadowCopyReplacedWithOtherBytesIsRewrittenNotLoaded()
    {
        string evil = Setup();
        string mine = Path.Combine(_tmp.Path, "mine");
        string copy = Path.Combine(mine, Sha, "libluhn.so");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Copy(evil, copy);
        using var host = Native.StartHost(Experts, mine, ["luhn"]);
        Assert.Equal("native", Assert.Single(host.Experts, e => e.Id == "luhn").RuntimeId);
        Assert.Equal(Sha, ExpertPackageReader.Sha256(File.ReadAllBytes(copy)));
        Assert.False(File.Exists(Marker), "the replaced shadow copy was loaded");
    }
}
