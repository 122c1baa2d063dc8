using Appliance.Host.Configuration;
using Appliance.Host.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Hosting;

/// <summary>Registers the Prometheus endpoint when <c>Metrics:Listen</c> is set (registered after the pipeline, so it
/// starts last and stops first).</summary>
internal static class MetricsRegistration
{
    public static IServiceCollection AddMetrics(this IServiceCollection services, IConfiguration config)
    {
        // Only the switch is read here; the values are bound and validated with the other options (OptionsRegistration).
        if (!new MetricsOptions { Listen = config[$"{MetricsOptions.SectionName}:Listen"] }.Enabled) return services;

        services.AddHostedSingleton<EventTally>();
        services.AddSingleton<ApplianceMetrics>();
        services.AddHostedSingleton<MetricsServer>();
        return services;
    }
}
