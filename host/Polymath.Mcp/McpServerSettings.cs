using System.Net;

namespace Polymath.Mcp;

/// <summary>
/// How <c>polymath mcp</c> serves: over stdio (default) or, with <see cref="Http"/>, over streamable HTTP. Checked by
/// <see cref="Validate"/> before anything starts.
/// </summary>
public sealed class McpServerSettings
{
    /// <summary>Address and port for streamable HTTP, e.g. <c>127.0.0.1:3001</c> (port 0 picks a free port); null = stdio.</summary>
    public string? Http { get; set; }

    /// <summary>
    /// A file holding the bearer token HTTP clients must send (<c>Authorization: Bearer …</c>). Required for any
    /// address other than loopback; optional (but enforced when given) on loopback.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>The HTTP path of the MCP endpoint (default <c>/mcp</c>).</summary>
    public string Path { get; set; } = "/mcp";

    /// <summary>The parsed <see cref="Http"/> endpoint (after <see cref="Validate"/>).</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>The token read from <see cref="TokenFile"/> (after <see cref="Validate"/>).</summary>
    public string? Token { get; private set; }

    /// <summary>Checks the settings, parses the endpoint and reads the token file.</summary>
    /// <exception cref="ArgumentException">A setting is wrong; the message names it.</exception>
    public void Validate()
    {
        if (Http is null)
        {
            if (TokenFile is not null) throw new ArgumentException("--token-file applies only with --http");
            return;
        }
        if (!IPEndPoint.TryParse(Http, out var endpoint) || endpoint.Port == 0 && !Http.EndsWith(":0", StringComparison.Ordinal))
            throw new ArgumentException($"--http: '{Http}' is not ADDRESS:PORT (e.g. 127.0.0.1:3001 or [::1]:3001)");
        if (!Path.StartsWith('/')) throw new ArgumentException($"MCP path '{Path}' must start with '/'");
        Endpoint = endpoint;
        if (TokenFile is not null)
        {
            string token;
            try { token = File.ReadAllText(TokenFile).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"--token-file: cannot read '{TokenFile}': {e.Message}", e);
            }
            if (token.Length < 16) throw new ArgumentException($"--token-file: the token in '{TokenFile}' must be at least 16 characters");
            Token = token;
        }
        else if (!IPAddress.IsLoopback(endpoint.Address))
            throw new ArgumentException($"--http {Http} is not a loopback address: pass --token-file FILE (clients then send 'Authorization: Bearer <token>')");
    }
}
