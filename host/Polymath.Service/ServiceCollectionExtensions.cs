using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polymath.Host;
using Polymath.Host.Experts;
using Polymath.Service.Protocol;

namespace Polymath.Service;

/// <summary>Registers the Polymath service (the host's experts, metrics, JSON-RPC server) in a service collection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ServiceOptions"/> (bound to the <c>Service</c> section, validated at start); the host's own
    /// composition — <c>AddPolymath</c> (<see cref="PolymathHostOptions"/>, the runtime catalog) and <c>AddExperts</c>
    /// (<see cref="ExpertHostOptions"/> from the <c>Experts</c> section, validated at start; the <see cref="ExpertHost"/>
    /// as a hosted service with hot reload, which lists and calls) — then <see cref="ServiceMetrics"/>, the call seam
    /// (<see cref="IExpertCallDispatcher"/>, in process unless one is registered) and the <see cref="JsonRpcServer"/>. The expert host is registered first, so it starts (loads the experts) before the
    /// listeners open and stops after the connections have drained; it is disposed (experts unloaded) with the container.
    /// </summary>
    public static IServiceCollection AddPolymathService(this IServiceCollection services, IConfiguration configuration, Action<PolymathHostOptions>? configureHost = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ServiceOptions>().Bind(configuration.GetSection(ServiceOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceOptions>, ServiceOptionsValidator>());
        services.AddPolymath(configureHost);
        services.AddExperts();
        services.TryAddSingleton(sp =>
        {
            var experts = sp.GetRequiredService<ExpertHost>();
            return new ServiceMetrics(() => experts.Experts.Sum(e => (long)experts.IdleInstances(e.Id)));
        });
        // The one call seam; the cluster registers its own (serve --cluster), which then wins.
        services.TryAddSingleton<IExpertCallDispatcher>(sp => new LocalCallDispatcher(sp.GetRequiredService<ExpertHost>()));
        services.TryAddSingleton<JsonRpcServer>();
        services.AddHostedService(sp => sp.GetRequiredService<JsonRpcServer>());
        return services;
    }
}
