namespace Polymath.Cli;

/// <summary>A command line or setting the CLI cannot use; printed as <c>error: message</c> with exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
