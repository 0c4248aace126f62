using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;

namespace Polymath.Host;

/// <summary>Registers the Polymath engine and the expert host in a service collection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PolymathHostOptions"/> — bound from the <c>Polymath</c> section of the registered
    /// <see cref="IConfiguration"/> when there is one, then <paramref name="configure"/> — and a singleton
    /// <see cref="RuntimeCatalog"/> built from them (and from <see cref="ILoggerFactory"/> when registered).
    /// </summary>
    public static IServiceCollection AddPolymathHost(this IServiceCollection services, Action<PolymathHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<PolymathHostOptions>();
        // Binding, not per-key lookups: the configuration's own layering (file < environment < command line) is the precedence.
        if (!services.Any(d => d.ServiceType == typeof(PolymathHostOptionsBinding)))
        {
            services.AddSingleton<PolymathHostOptionsBinding>();
            builder.Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(PolymathHostOptions.SectionName).Bind(o));
        }
        if (configure is not null)
            builder.Configure(configure);
        services.TryAddSingleton(sp => RuntimeCatalog.Create(
            sp.GetRequiredService<IOptions<PolymathHostOptions>>().Value,
            sp.GetService<IConfiguration>(),
            sp.GetService<ILoggerFactory>()));
        return services;
    }

    // Marks a collection whose PolymathHostOptions are already bound (AddPolymathHost is called by each Add* method).
    private sealed class PolymathHostOptionsBinding;

    /// <summary>
    /// Adds the engine: <see cref="PolymathHostOptions"/> (validated at start) and the singleton
    /// <see cref="RuntimeCatalog"/>. plugins.json and the platform come from the options (the <c>Polymath</c> section, then
    /// <paramref name="configure"/>); what they leave null, from <c>POLYMATH_PLUGINS</c> / <c>POLYMATH_PLATFORM</c> /
    /// <c>POLYMATH_NO_DYNAMIC_CODE</c> (docs/configuration.md).
    /// </summary>
    public static IServiceCollection AddPolymath(this IServiceCollection services, Action<PolymathHostOptions>? configure = null)
    {
        AddPolymathHost(services, configure);
        services.AddOptions<PolymathHostOptions>()
            .Validate(o => o.UnloadGcPasses >= 0, "Polymath:UnloadGcPasses must not be negative")
            .ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Adds the expert host on top of <see cref="AddPolymath"/>: <see cref="ExpertHostOptions"/> bound from the
    /// <c>Experts</c> configuration section (generated binder), then <paramref name="configure"/>, validated by
    /// <see cref="ExpertHostOptionsValidator"/> at start; a singleton <see cref="ExpertHost"/> over the catalog's runtimes,
    /// registered as an <see cref="Microsoft.Extensions.Hosting.IHostedService"/> so a generic host loads the experts on
    /// start. Resolve <see cref="ExpertHost"/> for listing and calls.
    /// </summary>
    public static IServiceCollection AddExperts(this IServiceCollection services, Action<ExpertHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddPolymath(services);
        var options = services.AddOptions<ExpertHostOptions>().BindConfiguration(ExpertHostOptions.SectionName);
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExpertHostOptions>, ExpertHostOptionsValidator>());
        services.TryAddSingleton(sp =>
        {
            var builder = ExpertHost.CreateBuilder()
                .UseOptions(sp.GetRequiredService<IOptions<ExpertHostOptions>>())
                .UseRuntimeCatalog(sp.GetRequiredService<RuntimeCatalog>())
                .UseLoggerFactory(sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
            if (sp.GetService<IWasiOutputSink>() is { } sink) builder.UseWasiOutput(sink);
            return builder.Build();
        });
        services.AddHostedService(sp => sp.GetRequiredService<ExpertHost>());
        return services;
    }
}
