using System.Diagnostics;

namespace Polymath.Tests;

/// <summary>
/// Builds test modules from WAT with wabt's wat2wasm (fails loudly when it is missing). One file, linked into each test
/// project that assembles WAT (tests/Shared/).
/// </summary>
internal static class Wat
{
    /// <summary><c>wat2wasm --enable-all --debug-names</c>: every proposal wabt knows, and a name section.</summary>
    public static byte[] ToWasm(string wat) => Assemble(wat, "--enable-all", "--debug-names");

    /// <summary>
    /// <c>wat2wasm</c> with its defaults: the standard feature set and no name section, the bytes an expert author's
    /// plain <c>wat2wasm m.wat</c> gives (what the expert, host and MCP tests build their test experts with).
    /// </summary>
    public static byte[] ToWasmPlain(string wat) => Assemble(wat);

    private static byte[] Assemble(string wat, params string[] options)
    {
        var dir = Directory.CreateTempSubdirectory("polymath-wat-");
        try
        {
            var src = Path.Combine(dir.FullName, "m.wat");
            var dst = Path.Combine(dir.FullName, "m.wasm");
            File.WriteAllText(src, wat);
            ProcessStartInfo psi = new("wat2wasm", [.. options, src, "-o", dst]) { RedirectStandardError = true, RedirectStandardOutput = true };
            Process p;
            try { p = Process.Start(psi)!; }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("wat2wasm (Debian package 'wabt') is required by these tests: apt-get install -y wabt", e);
            }
            using (p)
            {
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException($"wat2wasm failed: {err}");
            }
            return File.ReadAllBytes(dst);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
