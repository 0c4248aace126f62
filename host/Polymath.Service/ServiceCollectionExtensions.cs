using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polymath.Host;
using Polymath.Service.Protocol;

namespace Polymath.Service;

/// <summary>Registers the Polymath service (backend, metrics, JSON-RPC server) in a service collection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ServiceOptions"/> (bound to the <c>Service</c> section, validated at start), the
    /// <see cref="ExpertBackend"/> (configured from <c>Polymath</c> and <c>Experts</c>), <see cref="ServiceMetrics"/> and
    /// the <see cref="JsonRpcServer"/>. The backend is registered first so it starts first and stops last.
    /// </summary>
    public static IServiceCollection AddPolymathService(this IServiceCollection services, IConfiguration configuration, Action<PolymathHostOptions>? configureHost = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ServiceOptions>().Bind(configuration.GetSection(ServiceOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceOptions>, ServiceOptionsValidator>());
        var host = services.AddOptions<PolymathHostOptions>();
        if (configureHost is not null) host.Configure(configureHost);
        services.TryAddSingleton<ExpertBackend>();
        services.TryAddSingleton(sp => new ServiceMetrics(() => sp.GetRequiredService<ExpertBackend>().IdleInstances));
        services.TryAddSingleton<JsonRpcServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpertBackend>());
        services.AddHostedService(sp => sp.GetRequiredService<JsonRpcServer>());
        return services;
    }
}
