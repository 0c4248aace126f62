using System.Diagnostics;
using Xunit;

namespace Polymath.Mcp.Tests;

/// <summary>
/// `polymath mcp` gets its experts from the host's DI composition (AddPolymath + AddExperts): the options are bound
/// and validated there, so a bad setting stops the server with exit code 2 and a message naming the key.
/// </summary>
[Collection("polymath processes")]
public sealed class CompositionTests
{
    [Theory]
    [InlineData("POLYMATH_Experts__DebounceMs", "soon", "Experts:DebounceMs")]
    [InlineData("POLYMATH_Experts__Limits__TimeoutMs", "-5", "TimeoutMs")]
    public async Task An_invalid_setting_stops_mcp_naming_the_key(string variable, string value, string key)
    {
        var psi = new ProcessStartInfo(TestPaths.DotnetHost) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { TestPaths.PolymathDll, "mcp", "--dir", TestPaths.ExpertsDirectory }) psi.ArgumentList.Add(a);
        psi.Environment[variable] = value;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(60_000);
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"polymath mcp did not stop on an invalid setting: {await stderr}");
        }
        Assert.Equal(2, p.ExitCode);
        Assert.Contains(key, await stderr, StringComparison.Ordinal);
        Assert.Equal("", await p.StandardOutput.ReadToEndAsync()); // stdout is the protocol channel: nothing there
    }
}
