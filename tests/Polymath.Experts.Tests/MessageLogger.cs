using Microsoft.Extensions.Logging;

namespace Polymath.Experts.Tests;

/// <summary>Records event ids and messages.</summary>
public sealed class MessageLogger : ILogger
{
    private readonly List<(int Id, LogLevel Level, string Message)> _events = [];

    public IReadOnlyList<(int Id, LogLevel Level, string Message)> Events
    {
        get { lock (_events) return [.. _events]; }
    }

    public int Count(int eventId) => Events.Count(e => e.Id == eventId);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_events) _events.Add((eventId.Id, logLevel, formatter(state, exception)));
    }
}
