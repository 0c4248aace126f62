using Polymath.Tests;

namespace Polymath.Runtime.Native.Tests;

/// <summary>Builds native kernels with gcc for the tests; a missing gcc fails loudly saying how to install it.</summary>
internal static class Native
{
    /// <summary>The repository root (the folder holding experts/build.sh).</summary>
    public static string Root { get; } = FindRoot();

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
        Tools.Run(Path.Combine(Root, "experts", "build.sh"), Root, ["--native", "--packages", directory, .. ids]);
        return directory;
    }

    private static void RequireLinux()
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException($"these tests build native kernels with gcc for Linux; this is {Rid}");
    }

    private static string FindRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(ThisFile())! })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "experts", "build.sh"))) return dir.FullName;
        throw new InvalidOperationException($"cannot find the repository (experts/build.sh) above {AppContext.BaseDirectory}");
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("polymath-native-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
