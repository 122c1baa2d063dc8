using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Configuration;
using Appliance.Host.Health;
using Appliance.Host.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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

        services.AddSingleton(sp => new EventTally(sp.GetRequiredService<EventHub>().Subscribe("metrics", EventDelivery.DropOldest, 4096)));
        services.AddHostedService(sp => sp.GetRequiredService<EventTally>());
        services.AddSingleton(sp => new ApplianceMetrics(sp.GetRequiredService<IOptions<ApplianceOptions>>().Value.Node,
            sp.GetRequiredService<VmStatusBoard>(), sp.GetRequiredService<MonitorRegistry>(), sp.GetRequiredService<EventTally>(),
            sp.GetRequiredService<EventJournal>(), sp.GetRequiredService<JournalWriter>(), sp.GetRequiredService<MqttMirror>(),
            sp.GetRequiredService<IndicatorService>(), sp.GetRequiredService<HealthMonitor>()));
        services.AddSingleton(sp => new MetricsServer(sp.GetRequiredService<IOptions<MetricsOptions>>().Value,
            sp.GetRequiredService<ApplianceMetrics>().Render, sp.GetRequiredService<ILogger<MetricsServer>>()));
        services.AddHostedService(sp => sp.GetRequiredService<MetricsServer>());
        return services;
    }
}
