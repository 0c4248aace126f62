using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Polymath.Mcp;

/// <summary>
/// Runs the MCP server over stdio or streamable HTTP on the official C# SDK. The tools come from an
/// <see cref="ExpertToolSet"/>; a call to a tool that does not exist is a tool error, not a protocol error.
/// </summary>
public static class PolymathMcpServer
{
    /// <summary>The server name announced in <c>initialize</c>.</summary>
    public const string ServerName = "polymath";

    /// <summary>Creates the SDK options for a tool set: tools (with list-changed), server info, instructions.</summary>
    public static McpServerOptions CreateOptions(ExpertToolSet tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var options = new McpServerOptions();
        Apply(options, tools);
        return options;
    }

    private static void Apply(McpServerOptions options, ExpertToolSet tools)
    {
        options.ServerInfo = new Implementation
        {
            Name = ServerName,
            Title = "Polymath experts",
            Version = typeof(PolymathMcpServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0",
        };
        options.ServerInstructions = "Each tool is a small deterministic expert op (arithmetic, dates, units, hashing, statistics, SQL, logic, graphs...). " +
            "Call a tool instead of computing by hand; arguments must match the tool's input schema. A tool error's text starts with why: " +
            "declined, invalid_args, unknown_op, unavailable, limit_exceeded or trapped.";
        options.Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } };
        options.ToolCollection = tools.Tools;
        options.Filters.Message.IncomingFilters.Add(UnreadableParams.Filter);
        options.Handlers.CallToolHandler = (request, _) =>
        {
            if (UnreadableParams.ErrorFor(request, "unknown_op") is { } invalidName) return ValueTask.FromResult(invalidName);
            string name = request.Params?.Name ?? "";
            return ValueTask.FromResult(ExpertTool.Error("unknown_op", $"no tool named '{name}' (tools/list shows the current tools)", name, null));
        };
    }

    /// <summary>Serves over stdin/stdout until stdin closes or <paramref name="cancellationToken"/> fires. Nothing else may write to stdout.</summary>
    public static async Task RunStdioAsync(ExpertToolSet tools, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var options = CreateOptions(tools);
        var transport = new StdioServerTransport(options, loggerFactory);
        await using (transport.ConfigureAwait(false))
        {
            var server = McpServer.Create(transport, options, loggerFactory);
            await using (server.ConfigureAwait(false))
                await server.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Serves streamable HTTP at <see cref="McpServerSettings.Endpoint"/> + <see cref="McpServerSettings.Path"/> until
    /// <paramref name="cancellationToken"/> fires. <paramref name="started"/> gets the URL actually bound (port 0 resolved).
    /// </summary>
    public static async Task RunHttpAsync(ExpertToolSet tools, McpServerSettings settings, ILoggerFactory loggerFactory, Action<string>? started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var endpoint = settings.Endpoint ?? throw new ArgumentException("settings are not validated (no endpoint)", nameof(settings));
        var logger = loggerFactory.CreateLogger("Polymath.Mcp");

        long maxBody = settings.MaxRequestBodyBytes ?? McpServerSettings.DefaultMaxRequestBodyBytes;
        var guard = new HttpGuard(settings, maxBody, logger);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = maxBody;
            k.Limits.MaxRequestHeadersTotalSize = settings.MaxRequestHeadersBytes;
            k.Limits.RequestHeadersTimeout = settings.RequestHeadersTimeout;
            k.Limits.MaxConcurrentConnections = settings.MaxConnections;
            k.Listen(endpoint, l => l.Protocols = HttpProtocols.Http1);
        });
        // Stateful sessions: each client keeps a session (Mcp-Session-Id) with a GET stream for server notifications, so
        // tools/list_changed reaches it. Sessions are counted (the cap) and expire when idle.
        builder.Services.AddMcpServer(o => Apply(o, tools)).WithHttpTransport(o =>
        {
            o.SessionMode = HttpServerSessionMode.Stateful;
#pragma warning disable MCP9006 // Stateful mode is marked back-compat in the SDK; it is the mode that can push list-changed (RATIONALE.md).
            o.IdleTimeout = settings.SessionIdleTimeout;
            o.MaxIdleSessionCount = settings.MaxSessions;
#pragma warning restore MCP9006
#pragma warning disable MCPEXP002 // RunSessionHandler is experimental: it is the SDK's hook for a session's lifetime, which the cap counts.
            o.RunSessionHandler = guard.RunSessionAsync;
#pragma warning restore MCPEXP002
        });

        var app = builder.Build();
        // DNS rebinding first: a page of another site gets 403 before anything else is looked at.
        app.Use(guard.CheckHostAndOriginAsync);
        if (settings.Token is { } token)
        {
            if (!System.Net.IPAddress.IsLoopback(endpoint.Address)) Log.NonLoopback(logger, endpoint.ToString(), settings.TokenFile!);
            byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
            app.Use(async (context, next) =>
            {
                if (!Authorized(context.Request.Headers.Authorization.ToString(), expected))
                {
                    Log.Unauthorized(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?");
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    return;
                }
                await next(context).ConfigureAwait(false);
            });
        }
        app.Use(guard.LimitBodyAsync);
        app.Use(guard.LimitSessionsAsync);
        app.Use(guard.AnswerUnbindableAsync);
        app.MapMcp(settings.Path);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            string url = (addresses?.FirstOrDefault() ?? $"http://{endpoint}").TrimEnd('/') + settings.Path;
            Log.HttpStarted(logger, url, tools.Tools.Count);
            started?.Invoke(url);
            // ASP.NET Core's console lifetime takes SIGTERM/SIGINT and stops the application: wait for either.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || app.Lifetime.ApplicationStopping.IsCancellationRequested) { }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(stop.Token).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Both sides are hashed to 32 bytes, so the comparison takes the same time whatever the presented token's length.
    internal static bool Authorized(string header, byte[] expectedHash)
    {
        const string scheme = "Bearer ";
        string presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
        byte[] actual = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(actual, expectedHash) && presented.Length > 0;
    }
}
