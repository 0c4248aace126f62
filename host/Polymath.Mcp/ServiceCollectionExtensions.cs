using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Host;
using Polymath.Host.Experts;

namespace Polymath.Mcp;

/// <summary>Registers the MCP server's op source over the host's own composition.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the host's <c>AddExperts</c> (options bound from the <c>Experts</c> section and validated, the
    /// <see cref="ExpertHost"/> with hot reload, the runtime catalog of <c>AddPolymath</c>), then
    /// <paramref name="configure"/>, and an <see cref="IExpertOpSource"/> (<see cref="ExpertHostAdapter"/>) over that host.
    /// </summary>
    public static IServiceCollection AddPolymathMcp(this IServiceCollection services, Action<ExpertHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddExperts(configure);
        services.TryAddSingleton<IExpertOpSource>(sp =>
            new ExpertHostAdapter(sp.GetRequiredService<ExpertHost>(), sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        return services;
    }
}
