using System.Text;
using Polymath.Tests;

namespace Polymath.Host.Tests;

/// <summary>
/// Builds tiny larql-ABI experts from WAT whose metadata and result are whatever bytes a test gives: the hostile
/// packages of <see cref="CliHostileTests"/>. The allocator is a bump pointer that never frees (a test makes a few calls).
/// </summary>
internal static class HostileExperts
{
    /// <summary>An expert whose <c>larql_metadata</c> is <paramref name="metadata"/> and whose every call answers <paramref name="result"/>.</summary>
    /// <param name="metadata">The metadata JSON (UTF-8, at most 60 KiB).</param>
    /// <param name="result">The result JSON (UTF-8, at most 60 KiB).</param>
    /// <param name="metadataBody">Replaces the body of <c>larql_metadata</c> (e.g. a loop).</param>
    /// <param name="initializeBody">When set, the module exports <c>_initialize</c> with this body.</param>
    public static byte[] Build(string metadata, string result, string? metadataBody = null, string? initializeBody = null) =>
        Build(Encoding.UTF8.GetBytes(metadata), Encoding.UTF8.GetBytes(result), metadataBody, initializeBody);

    /// <summary>As <see cref="Build(string, string, string?, string?)"/>, with the exact bytes (invalid UTF-8 allowed).</summary>
    public static byte[] Build(byte[] metadata, byte[] result, string? metadataBody = null, string? initializeBody = null)
    {
        Assert.True(metadata.Length < 60 << 10 && result.Length < 60 << 10, "metadata and result must each be under 60 KiB");
        string initialize = initializeBody is null ? "" : $"(func (export \"_initialize\") {initializeBody})";
        return Wat.ToWasm($$"""
            (module
              (memory (export "memory") 4)
              (global $top (mut i32) (i32.const 131072))
              (data (i32.const 1024) "{{Escape(metadata)}}\00")
              (data (i32.const 65536) "{{Escape(result)}}\00")
              (func (export "larql_alloc") (param $n i32) (result i32) (local $p i32)
                (local.set $p (global.get $top))
                (global.set $top (i32.add (global.get $top) (local.get $n)))
                (local.get $p))
              (func (export "larql_dealloc") (param i32 i32))
              (func (export "larql_metadata") (result i32) {{metadataBody ?? "(i32.const 1024)"}})
              (func (export "larql_call") (param i32 i32 i32 i32) (result i32) (i32.const 65536))
              {{initialize}})
            """);
    }

    /// <summary>A well-behaved neighbour: expert <paramref name="id"/> with one op answering <c>{"value": 42}</c>.</summary>
    public static byte[] Good(string id = "good", string op = "hello") =>
        Build($$"""{"id":"{{id}}","tier":1,"description":"a good neighbour","version":"1.0.0","ops":[{"name":"{{op}}","args":[]}]}""",
              $$"""{"value":42,"confidence":1.0,"latency_ns":0,"expert_id":"{{id}}","op":"{{op}}"}""");

    /// <summary>A new directory under <paramref name="root"/> holding the given bare <c>.wasm</c> packages (file name → bytes).</summary>
    public static string Directory(string root, params (string Name, byte[] Bytes)[] files)
    {
        var dir = NewDirectory(root, "experts-");
        foreach (var (name, bytes) in files) File.WriteAllBytes(Path.Combine(dir, name), bytes);
        return dir;
    }

    /// <summary>A new directory under <paramref name="root"/> named <paramref name="prefix"/> and a random suffix.</summary>
    public static string NewDirectory(string root, string prefix) =>
        System.IO.Directory.CreateDirectory(Path.Combine(root, prefix + Path.GetRandomFileName())).FullName;

    private static string Escape(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes) sb.Append('\\').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
