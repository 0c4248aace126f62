using System.CommandLine;

namespace Polymath.Cli.Commands;

// The command-line half of NewExpertCommand, apart from the scaffolding so that tests can compile the scaffolder alone
// (tests/Polymath.Catalogue.Tests links NewExpertCommand.cs).
public static partial class NewExpertCommand
{
    /// <summary>The <c>new</c> command with its <c>expert</c> template.</summary>
    internal static Command Create()
    {
        var args = new Argument<string[]>("NAME") { Description = "NAME [--dir DIR] [--kit PATH_TO_larql_expert.h]", Arity = ArgumentArity.OneOrMore };
        var expert = new Command("expert", "Scaffold a C expert package (manifest, source with one op, build script, README, test)");
        expert.Arguments.Add(args);
        expert.TreatUnmatchedTokensAsErrors = false;
        expert.SetAction(pr => Run([.. pr.GetValue(args) ?? [], .. pr.UnmatchedTokens], Console.Out, Console.Error));
        var command = new Command("new", "Create something from a template");
        command.Subcommands.Add(expert);
        return command;
    }
}
