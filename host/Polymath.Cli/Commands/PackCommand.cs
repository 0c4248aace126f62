using System.CommandLine;
using Polymath.Experts;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath pack DIR [--output FILE] [--write-hashes] [--force]</c>: validates a package folder, computes the payload
/// hashes and writes the zip (by default <c>&lt;id&gt;.expert</c> in the current directory, like <c>npm pack</c>). The
/// folder's <c>expert.json</c> is changed only with <c>--write-hashes</c>, and then only its hash values.
/// </summary>
public static class PackCommand
{
    /// <summary>The <c>pack</c> command.</summary>
    internal static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "The expert package folder (with expert.json)" };
        var output = new Option<string?>("--output", "-o") { Description = "The zip to write, or a folder to write <id>.expert in (default: the current directory)" };
        var writeHashes = new Option<bool>("--write-hashes") { Description = "Also write the computed hashes into the folder's expert.json (only the hash values change)" };
        var force = new Option<bool>("--force") { Description = "Write the zip even inside the experts directory (Experts:Directory)" };
        var pack = new Command("pack", "Validate an expert package folder, compute payload hashes and write the .expert zip");
        pack.Arguments.Add(dir);
        foreach (var option in new Option[] { output, writeHashes, force }) pack.Options.Add(option);
        pack.SetAction(pr => Run(pr.GetValue(dir)!, pr.GetValue(output), pr.GetValue(writeHashes), pr.GetValue(force), ConfiguredExpertsDirectory(), Console.Out, Console.Error));
        return pack;
    }

    // pack refuses to write into the experts directory a host would watch (Experts:Directory, default ./experts).
    private static string? ConfiguredExpertsDirectory()
    {
        try { return CliComposition.Build().Configuration["Experts:Directory"] ?? "experts"; }
        catch (CliUsageException) { return "experts"; }
    }

    /// <summary>
    /// Runs the command; returns 0 on success, 1 with the error (naming file and field) otherwise. A zip inside the
    /// experts directory (<paramref name="expertsDirectory"/>) is refused unless <paramref name="force"/>: the host
    /// watching it would list the package twice (folder and zip) under one id.
    /// </summary>
    public static int Run(string folder, string? outputPath, bool writeHashes, bool force, string? expertsDirectory, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            if (!force && expertsDirectory is not null && InsideExperts(outputPath, expertsDirectory) is { } watched)
            {
                error.WriteLine($"pack failed: refusing to write the zip into the experts directory '{watched}': a host watching it would " +
                    "find the package twice under one id. Write it elsewhere (the default is the current directory), or pass --force.");
                return 1;
            }
            var (manifest, zip) = ExpertPacker.Pack(folder, outputPath, writeHashes);
            output.WriteLine($"packed '{manifest.Id}' {manifest.Version} (tier {manifest.Tier}) -> {zip}");
            output.WriteLine($"  {manifest.Wasm.Path} sha256 {manifest.Wasm.Sha256}");
            foreach (var (rid, p) in manifest.Native) output.WriteLine($"  native {rid}: {p.Path} sha256 {p.Sha256}");
            if (writeHashes) output.WriteLine($"  hashes written to {Path.Combine(Path.GetFullPath(folder), ExpertManifest.FileName)}");
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
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"pack failed: {e.Message}");
            return 1;
        }
    }

    /// <summary>The experts directory the output would land in (itself or a folder below it), or null.</summary>
    private static string? InsideExperts(string? outputPath, string expertsDirectory)
    {
        string outputDir;
        string experts;
        try
        {
            outputDir = outputPath is null ? Environment.CurrentDirectory
                : Directory.Exists(outputPath) ? Path.GetFullPath(outputPath) : Path.GetDirectoryName(Path.GetFullPath(outputPath)) ?? "";
            experts = Path.TrimEndingDirectorySeparator(Path.GetFullPath(expertsDirectory));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException)
        {
            return null; // the packer reports an unusable output path itself
        }
        if (!Directory.Exists(experts)) return null;
        outputDir = Path.TrimEndingDirectorySeparator(outputDir);
        bool inside = string.Equals(outputDir, experts, StringComparison.Ordinal)
            || outputDir.StartsWith(experts + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return inside ? experts : null;
    }
}
