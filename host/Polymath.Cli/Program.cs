using System.CommandLine;
using Polymath.Cli;
using Polymath.Cli.Commands;

// The root command: the global options and one subcommand per file under Commands/, each of which builds its own
// Command (Create) on the shared options and steps of CliCommandContext; every command builds its settings through the
// composition root (Configuration/CliComposition.cs). Here: parse, report a command line that does not parse, invoke.
var cli = new CliCommandContext();
var root = new RootCommand("Polymath: host WebAssembly expert modules through interchangeable runtime plugins.");
cli.AddGlobalOptionsTo(root);
var serve = ServeCommand.Create(cli);
foreach (var command in new[]
{
    ProbeCommand.Create(cli), RunCommand.Create(cli), InspectCommand.Create(cli), ExpertsCommand.Create(cli), CallCommand.Create(cli),
    McpCommand.Create(cli.Directory, (pr, dir) => cli.GlobalSettings(pr, dir), cli.Verbose, cli.Otlp),
    serve, StatusCommand.Create(cli), PackCommand.Create(), NewExpertCommand.Create(),
})
    root.Subcommands.Add(command);

// No response files: `@FILE` is an argument (polymath call OP @args.json reads the op's args from a file).
var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
// A command line that does not parse: one line, naming the option and what it accepts, and exit code 2.
if (parsed.Errors.Count > 0)
{
    var path = new List<string>();
    for (var r = parsed.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult) path.Insert(0, r.Command.Name);
    // The first problem only: later ones are usually its consequences ("frobnicate" → "required command not provided").
    string message = parsed.UnmatchedTokens.Count > 0
        ? $"unrecognized command, option or argument '{parsed.UnmatchedTokens[0]}'"
        : parsed.Errors[0].Message;
    Console.Error.WriteLine($"error: {HumanText.Sanitize(message)} (see '{string.Join(' ', path)} --help')");
    return 2;
}
try
{
    // serve handles SIGTERM/SIGINT itself (Generic Host: drain, then exit); System.CommandLine must not end it after 2 s.
    return parsed.Invoke(parsed.CommandResult.Command == serve
        ? new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }
        : new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
// Whatever a command did not handle ends as one line on stderr, never a stack trace (-v adds it).
catch (Exception e) when (Unwrap(e) is CliUsageException usage)
{
    Console.Error.WriteLine($"error: {usage.Message}");
    return 2;
}
catch (Exception e) when (Unwrap(e) is OperationCanceledException)
{
    Console.Error.WriteLine("error: cancelled");
    return 130;
}
#pragma warning disable CA1031 // the last resort: report, do not crash
catch (Exception e)
#pragma warning restore CA1031
{
    var inner = Unwrap(e);
    Console.Error.WriteLine($"error: {HumanText.Sanitize(inner.Message)} ({inner.GetType().Name})");
    if (parsed.GetValue(cli.Verbose))
        foreach (var line in inner.ToString().Split('\n')) Console.Error.WriteLine(HumanText.Sanitize(line.TrimEnd('\r')));
    return 1;
}

static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : e;
