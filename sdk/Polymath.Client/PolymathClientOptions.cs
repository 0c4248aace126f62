namespace Polymath.Client;

/// <summary>Options of <see cref="PolymathClient.ConnectAsync"/>.</summary>
public sealed class PolymathClientOptions
{
    /// <summary>The token to send with <c>auth</c> right after connecting (TCP listeners configured with a token file).</summary>
    public string? Token { get; set; }

    /// <summary>Largest reply accepted, in bytes (default 16 MiB).</summary>
    public int MaxMessageBytes { get; set; } = 16 << 20;
}
