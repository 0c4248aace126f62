using Polymath.Tests;

namespace Polymath.Runtime.Native.Tests;

/// <summary>Builds native kernels with gcc for the tests; a missing gcc fails loudly saying how to install it.</summary>
internal static class Native
{
    /// <summary>This process's runtime identifier, e.g. linux-x64.</summary>
    public static string Rid => Polymath.Sdk.PlatformInfo.Current.RuntimeIdentifier;

    /// <summary>Compiles <paramref name="cSource"/> into a shared library in <paramref name="directory"/> and returns its path.</summary>
    public static string CompileKernel(string directory, string name, string cSource)
    {
        RequireLinux();
        string c = Path.Combine(directory, name + ".c");
        File.WriteAllText(c, cSource);
        string so = Path.Combine(directory, $"lib{name}.so");
        Tools.Run(Tools.Require("gcc", "apt-get install gcc"), directory, "-O1", "-shared", "-fPIC", "-Wall", "-Werror", "-o", so, c);
        return so;
    }

    /// <summary>
    /// Runs <c>experts/build.sh --native --packages DIR ids…</c>: copies of the catalogue packages with their kernels
    /// declared in payloads.native. Returns DIR.
    /// </summary>
    public static string BuildPackages(string directory, params string[] ids)
    {
        RequireLinux();
        Tools.Require("gcc", "apt-get install gcc");
        Tools.Run(Path.Combine(Repository.Root, "experts", "build.sh"), Repository.Root, ["--native", "--packages", directory, .. ids]);
        return directory;
    }

    /// <summary>
    /// Copies the luhn package <paramref name="from"/> to <paramref name="to"/> with its kernel rebuilt from the catalogue's
    /// luhn.c plus a constructor that appends a line to <paramref name="marker"/> when the library is loaded (so a test
    /// sees whether a kernel's code ever ran in the host); the manifest declares the new kernel's sha256.
    /// </summary>
    public static string LuhnPackageWithMarker(string from, string to, string marker)
    {
        RequireLinux();
        CopyTree(from, to);
        string work = Directory.CreateTempSubdirectory("polymath-marker-").FullName;
        try
        {
            string c = Path.Combine(work, "marker.c");
            File.WriteAllText(c, "#include <stdio.h>\n" +
                "__attribute__((constructor)) static void polymath_test_marker(void) {\n" +
                "    FILE *f = fopen(MARKER, \"a\"); if (f) { fputs(\"loaded\\n\", f); fclose(f); }\n}\n");
            string kernel = Path.Combine(to, "native", Rid, "libluhn.so");
            string oldSha = Polymath.Experts.ExpertPackageReader.Sha256(File.ReadAllBytes(kernel));
            Tools.Run(Tools.Require("gcc", "apt-get install gcc"), Repository.Root, "-O1", "-std=c11", "-shared", "-fPIC", "-fvisibility=hidden",
                "-I", "sdk/expert-kit", $"-DMARKER=\"{marker}\"", "-o", kernel, "experts/luhn/luhn.c", c);
            string newSha = Polymath.Experts.ExpertPackageReader.Sha256(File.ReadAllBytes(kernel));
            string manifest = Path.Combine(to, "expert.json");
            File.WriteAllText(manifest, File.ReadAllText(manifest).Replace(oldSha, newSha, StringComparison.Ordinal));
            return newSha;
        }
        finally { Directory.Delete(work, true); }
    }

    /// <summary>Copies every file under <paramref name="from"/> to the same place under <paramref name="to"/>.</summary>
    public static void CopyTree(string from, string to)
    {
        foreach (string f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest, overwrite: true);
        }
    }

    /// <summary>
    /// Starts a host over <paramref name="experts"/> with the interpreter (and, unless told otherwise, the native runtime),
    /// the grants <paramref name="grants"/> and shadow copies in <paramref name="shadow"/>.
    /// </summary>
    public static Polymath.Host.Experts.ExpertHost StartHost(string experts, string shadow, string[] grants, bool nativeRuntime = true)
    {
        var builder = Polymath.Host.Experts.ExpertHost.CreateBuilder().Configure(o =>
        {
            o.Directory = experts;
            o.Watch = false;
            o.NativeKernels = [.. grants];
            o.NativeKernelDirectory = shadow;
        }).AddRuntime(new Polymath.Runtime.Interpreter.InterpreterRuntimePlugin(), 10);
        if (nativeRuntime) builder.AddRuntime(new NativeKernelRuntimePlugin(), 5);
        var host = builder.Build();
        host.StartAsync().GetAwaiter().GetResult();
        return host;
    }

    /// <summary>Fails loudly unless the tests run as root (they start a second user, nobody, with setpriv).</summary>
    public static string RequireRootAndSetpriv()
    {
        if (!IsRootByProc())
            throw new InvalidOperationException("this test runs a second user (nobody) with setpriv, which needs root; run the tests as root (CI does)");
        return Tools.Require("setpriv", "apt-get install util-linux");
    }

    private static bool IsRootByProc() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal)) is { } uid
        && uid.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries) is [_, "0", ..];

    private static void RequireLinux()
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException($"these tests build native kernels with gcc for Linux; this is {Rid}");
    }
}
