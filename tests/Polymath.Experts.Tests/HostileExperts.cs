using System.Runtime.InteropServices;
using System.Text;

namespace Polymath.Experts.Tests;

/// <summary>Hostile test experts and files built in the test: fixed-answer modules, FIFOs.</summary>
internal static class HostileExperts
{
    /// <summary>
    /// A zero-import expert whose <c>larql_metadata</c> returns <paramref name="metadata"/> and whose every
    /// <c>larql_call</c> returns <paramref name="result"/> (both written byte for byte into a data segment).
    /// </summary>
    public static byte[] Fixed(string metadata, string result) => Fixed(Encoding.UTF8.GetBytes(metadata), Encoding.UTF8.GetBytes(result));

    /// <inheritdoc cref="Fixed(string, string)"/>
    public static byte[] Fixed(byte[] metadata, byte[] result)
    {
        if (metadata.Length > 7000 || result.Length > 20000) throw new ArgumentException("too long for the fixed-answer module");
        string wat = $$"""
            (module
              (memory (export "memory") 1)
              (data (i32.const 1024) "{{Bytes(metadata)}}\00")
              (data (i32.const 8192) "{{Bytes(result)}}\00")
              (func (export "larql_alloc") (param i32) (result i32) (i32.const 32768))
              (func (export "larql_dealloc") (param i32 i32))
              (func (export "larql_call") (param i32 i32 i32 i32) (result i32) (i32.const 8192))
              (func (export "larql_metadata") (result i32) (i32.const 1024)))
            """;
        return TestExperts.Compile(wat);
    }

    /// <summary>Metadata for a fixed-answer expert with one op.</summary>
    public static string Metadata(string id, string op) => $$"""{"id":"{{id}}","tier":1,"description":"hostile","version":"1.0.0","ops":[{"name":"{{op}}","args":[]}]}""";

    private static string Bytes(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (byte b in bytes) sb.Append('\\').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "mkfifo")]
    private static extern int MkFifo(string path, uint mode);

    /// <summary>Creates a FIFO (named pipe) at <paramref name="path"/>; Unix only.</summary>
    public static void Fifo(string path)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("FIFOs are a Unix facility");
        if (MkFifo(path, Convert.ToUInt32("644", 8)) != 0)
            throw new IOException($"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Runs <paramref name="action"/> and fails if it takes longer than <paramref name="seconds"/> (a hang).</summary>
    public static T WithinSeconds<T>(int seconds, Func<T> action)
    {
        var task = Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!task.Wait(TimeSpan.FromSeconds(seconds)))
            throw new TimeoutException($"did not finish within {seconds} s (blocked?)");
        return task.Result;
    }
}
