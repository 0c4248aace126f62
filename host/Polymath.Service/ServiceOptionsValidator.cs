using System.Net;
using Microsoft.Extensions.Options;

namespace Polymath.Service;

/// <summary>Checks <see cref="ServiceOptions"/> at start; each failure names its configuration key.</summary>
public sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string S = ServiceOptions.SectionName;
        if (options.MaxMessageBytes is < 64 or > 256 << 20) errors.Add($"{S}:MaxMessageBytes must be 64..268435456 (is {options.MaxMessageBytes})");
        if (options.MaxInFlightPerConnection is < 1 or > 65536) errors.Add($"{S}:MaxInFlightPerConnection must be 1..65536 (is {options.MaxInFlightPerConnection})");
        if (options.MaxConnections is < 1 or > 100_000) errors.Add($"{S}:MaxConnections must be 1..100000 (is {options.MaxConnections})");
        if (options.MaxPendingConnections is { } pending && (pending < 1 || pending > options.MaxConnections))
            errors.Add($"{S}:MaxPendingConnections must be 1..{S}:MaxConnections ({options.MaxConnections}) (is {pending})");
        if (options.HandshakeTimeoutMs is < 100 or > 3_600_000) errors.Add($"{S}:HandshakeTimeoutMs must be 100..3600000 (is {options.HandshakeTimeoutMs})");
        if (options.GuestThreads is < 1 or > 1024) errors.Add($"{S}:GuestThreads must be 1..1024 (is {options.GuestThreads})");
        if (options.MaxQueuedCalls is < 1 or > 1_000_000) errors.Add($"{S}:MaxQueuedCalls must be 1..1000000 (is {options.MaxQueuedCalls})");
        if (options.MaxQueuedBytes < options.MaxMessageBytes) errors.Add($"{S}:MaxQueuedBytes must be at least {S}:MaxMessageBytes ({options.MaxMessageBytes}) (is {options.MaxQueuedBytes})");
        if (options.MaxQueuedBytesPerConnection < 1 || options.MaxQueuedBytesPerConnection > options.MaxQueuedBytes)
            errors.Add($"{S}:MaxQueuedBytesPerConnection must be 1..{S}:MaxQueuedBytes ({options.MaxQueuedBytes}) (is {options.MaxQueuedBytesPerConnection})");
        if (options.InlineBudgetMs is < 0 or > 1000) errors.Add($"{S}:InlineBudgetMs must be 0..1000 (is {options.InlineBudgetMs})");
        if (options.IdleTimeoutMs < 0) errors.Add($"{S}:IdleTimeoutMs must not be negative (is {options.IdleTimeoutMs})");
        if (options.DrainTimeoutMs < 0) errors.Add($"{S}:DrainTimeoutMs must not be negative (is {options.DrainTimeoutMs})");
        if (options.TcpPort is < 0 or > 65535) errors.Add($"{S}:TcpPort must be 0..65535 (is {options.TcpPort})");
        if (options.TcpPort is not null)
        {
            if (!IPAddress.TryParse(options.TcpAddress, out var address))
                errors.Add($"{S}:TcpAddress: '{options.TcpAddress}' is not an IP address");
            else if (!IPAddress.IsLoopback(address))
            {
                if (!options.AllowNonLoopback)
                    errors.Add($"{S}:TcpAddress: {address} is not a loopback address; set {S}:AllowNonLoopback=true and {S}:TokenFile to expose the service");
                if (string.IsNullOrEmpty(options.TokenFile))
                    errors.Add($"{S}:TokenFile is required when {S}:TcpAddress is not loopback");
            }
        }
        // Reads the token once; the server uses this very read (ServiceOptions.TokenHash).
        if (options.TokenHash(out string? tokenProblem) is null && tokenProblem is not null) errors.Add($"{S}:TokenFile: {tokenProblem}");
        if (options.SocketPath == "" && options.TcpPort is null) errors.Add($"{S}:SocketPath is empty and {S}:TcpPort is not set: nothing to listen on");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
