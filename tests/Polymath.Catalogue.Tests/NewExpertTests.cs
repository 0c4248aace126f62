using Polymath.Cli.Commands;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Xunit;

namespace Polymath.Catalogue.Tests;

/// <summary><c>polymath new expert</c>: scaffold, build with the pinned clang flags, call through the host.</summary>
public sealed class NewExpertTests : IDisposable
{
    private readonly Tools.TempDir _tmp = new();

    /// <inheritdoc />
    public void Dispose() => _tmp.Dispose();

    private static string Kit => Path.Combine(Repository.Root, "sdk", "expert-kit", NewExpertCommand.KitHeader);

    [Fact]
    public async Task ScaffoldedExpertBuildsAndItsExamplesPassThroughTheHost()
    {
        Tools.Require("clang", "apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32");
        Tools.Require("wasm-opt", "apt-get install binaryen");
        string root = Path.Combine(_tmp.Path, "experts");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = NewExpertCommand.Run(["my_expert", "--dir", Path.Combine(root, "my_expert"), "--kit", Kit], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        string pkg = Path.Combine(root, "my_expert");
        foreach (string f in new[] { "expert.json", "my_expert.c", "build.sh", "README.md", "tests/examples.jsonl", "kit/larql_expert.h" })
            Assert.True(File.Exists(Path.Combine(pkg, f)), f + " missing");

        Tools.Run(Path.Combine(pkg, "build.sh"), pkg);
        Assert.True(File.Exists(Path.Combine(pkg, "my_expert.wasm")));
        Assert.DoesNotContain("\"sha256\": \"\"", File.ReadAllText(Path.Combine(pkg, "expert.json")));
        File.Move(Path.Combine(pkg, "tests", "examples.jsonl"), Path.Combine(_tmp.Path, "examples.jsonl")); // keep only the package in experts/
        Directory.Delete(Path.Combine(pkg, "tests"));

        using var host = ExpertHost.CreateBuilder().Configure(o => { o.Directory = root; o.Watch = false; })
            .AddRuntime(new InterpreterRuntimePlugin()).Build();
        await host.StartAsync();
        var info = Assert.Single(host.Experts);
        Assert.True(info.Status == ExpertStatus.Bound, info.Reason);
        var examples = CatalogueExample.Load(Path.Combine(_tmp.Path, "examples.jsonl"));
        Assert.Equal(3, examples.Count);
        foreach (var e in examples)
            Assert.Null(CatalogueTests.Check(host, e));
    }

    [Fact]
    public void ScaffoldedExpertBuildsNativelyWithGcc()
    {
        Tools.Require("gcc", "apt-get install gcc");
        string pkg = NewExpertCommand.Scaffold("native_one", Path.Combine(_tmp.Path, "native_one"), Kit);
        Tools.Run(Path.Combine(pkg, "build.sh"), pkg, "--native");
        Assert.True(File.Exists(Path.Combine(pkg, "libnative_one.so")));
    }

    [Theory]
    [InlineData("My-Expert")]
    [InlineData("1abc")]
    [InlineData("")]
    public void InvalidNamesAreUsageErrors(string name)
    {
        var err = new StringWriter();
        Assert.Equal(2, NewExpertCommand.Run([name, "--dir", Path.Combine(_tmp.Path, "x"), "--kit", Kit], TextWriter.Null, err));
        Assert.Contains("expert", err.ToString());
    }

    [Fact]
    public void NonEmptyDirectoryIsRefused()
    {
        File.WriteAllText(Path.Combine(_tmp.Path, "keep.txt"), "x");
        var err = new StringWriter();
        Assert.Equal(1, NewExpertCommand.Run(["abc", "--dir", _tmp.Path, "--kit", Kit], TextWriter.Null, err));
        Assert.Contains("not empty", err.ToString());
        Assert.True(File.Exists(Path.Combine(_tmp.Path, "keep.txt")));
    }

    [Fact]
    public void MissingNameIsAUsageError() =>
        Assert.Equal(2, NewExpertCommand.Run([], TextWriter.Null, new StringWriter()));
}
