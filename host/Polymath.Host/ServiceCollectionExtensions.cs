using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polymath.Host.Catalog;

namespace Polymath.Host;

/// <summary>Registers the Polymath engine in a service collection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PolymathHostOptions"/> and a singleton <see cref="RuntimeCatalog"/> built from them (and from
    /// <see cref="IConfiguration"/> and <see cref="ILoggerFactory"/> when registered).
    /// </summary>
    public static IServiceCollection AddPolymathHost(this IServiceCollection services, Action<PolymathHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<PolymathHostOptions>();
        if (configure is not null)
            builder.Configure(configure);
        services.TryAddSingleton(sp => RuntimeCatalog.Create(
            sp.GetRequiredService<IOptions<PolymathHostOptions>>().Value,
            sp.GetService<IConfiguration>(),
            sp.GetService<ILoggerFactory>()));
        return services;
    }
}
