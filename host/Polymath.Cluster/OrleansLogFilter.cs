using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Polymath.Cluster;

/// <summary>
/// Raises the lowest level of Orleans' own log categories (<c>Orleans.*</c>, and <c>Polly</c>, which logs every placement) to <see cref="PolymathClusterOptions.OrleansLogLevel"/>
/// (Warning by default) by wrapping the host's <see cref="ILoggerFactory"/>. The service logs through Serilog's factory,
/// which ignores Microsoft.Extensions.Logging filter rules, so the filter sits in front of whatever factory is registered.
/// </summary>
internal static class OrleansLogFilter
{
    public static void Add(IServiceCollection services, LogLevel minimum)
    {
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory) && !d.IsKeyedService);
        if (inner is null) return;
        services.Remove(inner);
        services.AddSingleton<ILoggerFactory>(sp => new Factory(Resolve(sp, inner), minimum));
    }

    private static ILoggerFactory Resolve(IServiceProvider sp, ServiceDescriptor d) =>
        (ILoggerFactory)(d.ImplementationInstance ?? d.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));

    // Polly: Orleans' placement runs through a Polly resilience pipeline that logs each execution at Information.
    private static bool IsOrleans(string category) =>
        category.StartsWith("Orleans", StringComparison.Ordinal) || category.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) || category.StartsWith("Polly", StringComparison.Ordinal);

    private sealed class Factory(ILoggerFactory inner, LogLevel minimum) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName)
        {
            var logger = inner.CreateLogger(categoryName);
            return IsOrleans(categoryName) ? new Filtered(logger, minimum) : logger;
        }

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();
    }

    private sealed class Filtered(ILogger inner, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= minimum) inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
