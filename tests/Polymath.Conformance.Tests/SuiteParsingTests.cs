namespace Polymath.Conformance.Tests;

/// <summary>Every non-excluded suite file converts with wast2json and parses without a command error (no runtime needed).</summary>
public sealed class SuiteParsingTests
{
    [Fact]
    public void Every_included_file_converts_and_every_command_parses()
    {
        var suite = SpecSuite.Locate();
        var converter = Wast2Json.Create();
        var problems = new List<string>();
        int commands = 0, textModules = 0;
        foreach (var file in suite.IncludedFiles)
        {
            var script = WastScript.Load(converter.Convert(suite.PathOf(file)), file);
            commands += script.Commands.Count;
            foreach (var command in script.Commands)
            {
                if (command.ParseError is not null) problems.Add($"{file}:{command.Line}: {command.ParseError}");
                if (command.ModuleType == "text") textModules++;
                else if (command.FileName is not null && !File.Exists(Path.Combine(script.Directory, command.FileName)))
                    problems.Add($"{file}:{command.Line}: module file {command.FileName} missing");
            }
        }
        Assert.Empty(problems);
        Assert.True(commands > 20_000, $"only {commands} commands in {suite.IncludedFiles.Count} files");
        Assert.True(textModules > 0);
    }
}
