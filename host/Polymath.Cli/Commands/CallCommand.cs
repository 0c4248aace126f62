using System.CommandLine;
using System.Text.Json;
using Polymath.Host.Experts;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath call OP [ARGS_JSON] [--dir DIR] [--platform RID] [--json]</c>: one call. With JSON output it prints one
/// object: <c>outcome</c> (result, declined, unknown_op, unavailable, limit_exceeded, trapped, invalid_args); for a
/// result the larql ExpertResult fields <c>value, confidence, latency_ns</c> (host-measured), <c>expert_id, op</c> plus
/// <c>runtime</c>; otherwise <c>reason</c> (and <c>limit</c>, <c>trap</c>, <c>wasm_stack</c> when they apply).
/// Exit code 0 only for a result. Without <c>--json</c> it prints the value alone (compact JSON, with control and
/// format characters as <c>\uHHHH</c> escapes) or <c>outcome: reason</c> (escaped by <see cref="HumanText"/>). The result
/// is attributed by the host (the op and expert the call was routed to), never by the guest's own fields.
/// </summary>
public static class CallCommand
{
    /// <summary>The <c>call</c> command: one op in process, or through a running service with <c>--server</c>.</summary>
    internal static Command Create(CliCommandContext cli)
    {
        var op = new Argument<string>("OP") { Description = "The op name, e.g. gcd" };
        var args = new Argument<string?>("ARGS_JSON") { Description = "The op's arguments as a JSON object, e.g. '{\"a\":12,\"b\":18}'; - reads them from stdin, @FILE from a file", Arity = ArgumentArity.ZeroOrOne };
        var call = new Command("call", "Call one op; the exit code is 0 only for a result");
        call.Arguments.Add(op);
        call.Arguments.Add(args);
        // A token that looks like an option is not JSON args: say so instead of calling the op with it.
        args.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && r.Tokens[0].Value is { Length: > 1 } t && t[0] == '-')
                r.AddError($"unknown option '{HumanText.Sanitize(t)}' (ARGS_JSON is a JSON object, - for stdin or @FILE)");
        });
        cli.AddExpertsOptionsTo(call);
        var server = new Option<string?>("--server") { Description = "Call through a running `polymath serve`: a Unix socket path or HOST:PORT (docs/service.md)" };
        call.Options.Add(server);
        call.Options.Add(cli.TokenFile);
        call.SetAction((pr, ct) => pr.GetValue(server) is { } address
            ? RemoteCallCommand.RunAsync(address, CliCommandContext.ReadToken(pr.GetValue(cli.TokenFile)), pr.GetValue(op)!,
                CliInput.ReadArgs(pr.GetValue(args), Console.OpenStandardInput), pr.GetValue(cli.ExpertsJson), Console.Out, Console.Error, ct)
            : cli.WithExperts(pr, pr.GetValue(cli.Directory), b => RunAsync(b, pr.GetValue(op)!,
                CliInput.ReadArgs(pr.GetValue(args), Console.OpenStandardInput), pr.GetValue(cli.ExpertsJson), Console.Out, ct)));
        return call;
    }

    /// <summary>Runs the command; returns the exit code.</summary>
    public static async Task<int> RunAsync(ExpertHostBuilder builder, string op, string? argsJson, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        await using var host = builder.Configure(o => o.Watch = false).Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var r = await host.CallAsync(op, argsJson, cancellationToken).ConfigureAwait(false);
        if (json) await output.WriteLineAsync(ToJson(r)).ConfigureAwait(false);
        else if (r.IsResult) await output.WriteLineAsync(HumanText.Json(r.Result!.Value)).ConfigureAwait(false);
        else await output.WriteLineAsync($"{r.OutcomeName}: {HumanText.Sanitize(r.Reason)}").ConfigureAwait(false);
        return r.IsResult ? 0 : 1;
    }

    /// <summary>The documented JSON object for a call result.</summary>
    public static string ToJson(ExpertCallResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            ExpertJson.WriteCallResult(w, r);
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
