using Polymath.Experts;

namespace Polymath.Cli.Commands;

/// <summary><c>polymath pack DIR [--output FILE]</c>: validates a package folder, fills in the hashes and writes the zip.</summary>
public static class PackCommand
{
    /// <summary>Runs the command; returns 0 on success, 1 with the error (naming file and field) otherwise.</summary>
    public static int Run(string folder, string? outputPath, TextWriter output, TextWriter error)
    {
        try
        {
            var (manifest, zip) = ExpertPacker.Pack(folder, outputPath);
            output.WriteLine($"packed '{manifest.Id}' {manifest.Version} (tier {manifest.Tier}) -> {zip}");
            output.WriteLine($"  {manifest.Wasm.Path} sha256 {manifest.Wasm.Sha256}");
            foreach (var (rid, p) in manifest.Native) output.WriteLine($"  native {rid}: {p.Path} sha256 {p.Sha256}");
            return 0;
        }
        catch (ExpertPackageException e)
        {
            error.WriteLine($"pack failed: {e.Message}");
            return 1;
        }
        catch (IOException e)
        {
            error.WriteLine($"pack failed: {e.Message}");
            return 1;
        }
    }
}
