using Polymath.Host.Experts;

namespace Polymath.Runtime.Native.Tests;

/// <summary>
/// Issue #24 item 5: only the package that was granted and bound may load code. Two packages claim the id luhn; each
/// kernel's constructor appends to its own marker file, so the test sees whose code ran in the host.
/// </summary>
public sealed class DuplicateIdTests : IClassFixture<LuhnPackageFixture>, IDisposable
{
    private const string Number = """{"number":"4539578763621486"}""";
    private readonly LuhnPackageFixture _luhn;
    private readonly Tools.TempDir _root = new();
    private readonly string _experts, _shadow;

    public DuplicateIdTests(LuhnPackageFixture luhn)
    {
        _luhn = luhn;
        _experts = Path.Combine(_root.Path, "experts");
        _shadow = Path.Combine(_root.Path, "shadow");
    }

    public void Dispose() => _root.Dispose();

    private string Marker(string name) => Path.Combine(_root.Path, $"{name}.loaded");

    private void Package(string folder) => Native.LuhnPackageWithMarker(_luhn.Folder, Path.Combine(_experts, folder), Marker(folder));

    [Theory]
    [InlineData("luhn")]
    [InlineData("*")]
    public void TheLoserOfTheDuplicateIdNeverLoadsItsKernel(string grant)
    {
        Package("a-luhn"); // its path sorts first: it wins
        Package("b-luhn");
        using var host = Native.StartHost(_experts, _shadow, [grant]);

        var winner = Assert.Single(host.Experts, e => e.Source.EndsWith("a-luhn", StringComparison.Ordinal));
        Assert.Equal(("luhn", "native", ExpertStatus.Bound), (winner.Id, winner.RuntimeId, winner.Status));
        var loser = Assert.Single(host.Experts, e => e.Source.EndsWith("b-luhn", StringComparison.Ordinal));
        Assert.Equal(ExpertStatus.Unavailable, loser.Status);
        Assert.Contains("duplicate expert id 'luhn'", loser.Reason);

        Assert.Equal("native", host.Call("check", Number).RuntimeId);
        Assert.True(File.Exists(Marker("a-luhn")), "the winner's kernel was not loaded");
        Assert.False(File.Exists(Marker("b-luhn")), "the losing package's kernel was loaded: its constructor ran in the host");
    }

    [Theory]
    [InlineData("a-luhn", "c-luhn")] // the added package sorts last: it loses, its kernel must not load
    [InlineData("b-luhn", "a-luhn")] // the added package sorts first: it takes the id over and loads its kernel
    public void OnReloadOnlyTheWinnerLoadsItsKernel(string first, string added)
    {
        Package(first);
        using var host = Native.StartHost(_experts, _shadow, ["luhn"]);
        Assert.True(File.Exists(Marker(first)));

        Package(added);
        host.Reload();
        bool addedWins = string.CompareOrdinal(added, first) < 0;
        var winner = Assert.Single(host.Experts, e => e.Id == "luhn" && e.Status == ExpertStatus.Bound);
        Assert.EndsWith(addedWins ? added : first, winner.Source, StringComparison.Ordinal);
        Assert.Equal("native", winner.RuntimeId);
        Assert.Contains(host.Experts, e => e.Source.EndsWith(addedWins ? first : added, StringComparison.Ordinal)
            && e.Reason.Contains("duplicate expert id", StringComparison.Ordinal));
        Assert.Equal("native", host.Call("check", Number).RuntimeId);
        Assert.True(File.Exists(Marker(added)) == addedWins,
            addedWins ? "the new winner's kernel was not loaded" : "the losing package's kernel was loaded on reload");
    }
}
