using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>The package reader's open of a file: the C library's open(2) with O_NONBLOCK, found on every Unix we ship for.</summary>
public sealed class RegularFileOpenerTests
{
    [Fact]
    public void OpenComesFromTheRealCLibraryNotTheDevelopmentSymlink()
    {
        // "libc" would resolve through libc.so, a linker script where libc6-dev is installed and absent elsewhere; the
        // opener loads libc.so.6 (or musl's, or libSystem) itself. Without it, a FIFO swapped in after the check would block.
        if (OperatingSystem.IsWindows()) return; // no FIFOs in the Windows file system: an ordinary FileStream
        Assert.True(RegularFileOpener.HasOpen(), "open(2) was not found in the C library");
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "{}");
            using var s = RegularFileOpener.OpenRead(file);
            Assert.Equal(2, s.Length);
        }
        finally { File.Delete(file); }
    }
}
