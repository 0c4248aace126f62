using Microsoft.Extensions.Logging;
using Polymath.Host.Experts;
using Polymath.Mcp;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath mcp [--dir DIR] [--http ADDRESS:PORT [--token-file FILE]]</c>: a Model Context Protocol server that
/// offers every bound expert op as a tool (docs/mcp.md). Over stdio (default) stdout carries only protocol messages
/// and logs go to stderr; with <c>--http</c> it serves streamable HTTP at <c>/mcp</c> and prints
/// <c>listening on URL</c> to stderr. Experts are watched: added, changed or removed packages change the tool list.
/// Exit code 0 after a clean shutdown, 2 for bad settings.
/// </summary>
public static class McpCommand
{
    /// <summary>Runs the server until stdin closes (stdio) or the process is cancelled (HTTP).</summary>
    public static async Task<int> RunAsync(ExpertHostBuilder builder, McpServerSettings settings, bool verbose, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(error);
        // Logs go to stderr (CliLogging): on stdio, stdout is the protocol channel.
        using var loggerFactory = CliLogging.Create(verbose);
        builder.UseLoggerFactory(loggerFactory);
        try { settings.Validate(); }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"error: {HumanText.Sanitize(e.Message)}").ConfigureAwait(false);
            return 2;
        }
        ExpertHostAdapter adapter;
        try { adapter = await ExpertHostAdapter.StartAsync(builder, loggerFactory, cancellationToken).ConfigureAwait(false); }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"error: {HumanText.Sanitize(e.Message)}").ConfigureAwait(false);
            return 2;
        }
        await using (adapter.ConfigureAwait(false))
        {
            using var tools = new ExpertToolSet(adapter, loggerFactory.CreateLogger("Polymath.Mcp"));
            if (settings.Endpoint is null)
            {
                await error.WriteLineAsync($"polymath mcp: {tools.Tools.Count} tools from {HumanText.Sanitize(adapter.Directory)} on stdio").ConfigureAwait(false);
                await PolymathMcpServer.RunStdioAsync(tools, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PolymathMcpServer.RunHttpAsync(tools, settings, loggerFactory,
                    url => error.WriteLine($"polymath mcp: {tools.Tools.Count} tools from {HumanText.Sanitize(adapter.Directory)}; listening on {url}"),
                    cancellationToken).ConfigureAwait(false);
            }
        }
        return 0;
    }
}
