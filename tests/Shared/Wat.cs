using System.Diagnostics;

namespace Polymath.Tests;

/// <summary>
/// Builds test modules from WAT with wabt's wat2wasm (fails loudly when it is missing). One file, linked into each runtime
/// plugin's test project (tests/Shared/).
/// </summary>
internal static class Wat
{
    public static byte[] ToWasm(string wat)
    {
        var dir = Directory.CreateTempSubdirectory("polymath-wat-");
        try
        {
            var src = Path.Combine(dir.FullName, "m.wat");
            var dst = Path.Combine(dir.FullName, "m.wasm");
            File.WriteAllText(src, wat);
            ProcessStartInfo psi = new("wat2wasm", ["--enable-all", "--debug-names", src, "-o", dst]) { RedirectStandardError = true, RedirectStandardOutput = true };
            Process p;
            try { p = Process.Start(psi)!; }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("wat2wasm (Debian package 'wabt') is required by these tests: apt-get install -y wabt", e);
            }
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"wat2wasm failed: {err}");
            return File.ReadAllBytes(dst);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
