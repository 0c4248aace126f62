using Polymath.Client;
using Polymath.Sdk;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath call OP [ARGS_JSON] --server PATH|HOST:PORT [--json]</c>: the same call through a running service
/// (Polymath.Client), printing exactly what the in-process call prints. Exit code 0 only for a result; 2 when the
/// service cannot be reached or rejects the request.
/// </summary>
public static class RemoteCallCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static async Task<int> RunAsync(string server, string? token, string op, string? argsJson, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            await using var client = await PolymathClient.ConnectAsync(server, new PolymathClientOptions { Token = token }, cancellationToken).ConfigureAwait(false);
            var r = await client.CallAsync(op, argsJson, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (json) await output.WriteLineAsync(r.Json).ConfigureAwait(false);
            else if (r.IsResult) await output.WriteLineAsync(HumanText.Json(r.Value!.Value)).ConfigureAwait(false);
            else await output.WriteLineAsync($"{Name(r.Outcome)}: {HumanText.Sanitize(r.Reason)}").ConfigureAwait(false);
            return r.IsResult ? 0 : 1;
        }
        catch (Exception e) when (e is PolymathConnectionException or PolymathServiceException)
        {
            await error.WriteLineAsync($"error: {HumanText.Sanitize(e.Message)}").ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>The JSON spelling of an outcome.</summary>
    public static string Name(ExpertCallOutcome outcome) => ExpertCallOutcomes.Name(outcome);
}
