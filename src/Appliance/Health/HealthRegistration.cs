using Appliance.Bridge.Pipeline;
using Appliance.Host.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Appliance.Host.Health;

/// <summary>Registers one health check per component and the <see cref="HealthMonitor"/> that runs them.</summary>
internal static class HealthRegistration
{
    public static IServiceCollection AddApplianceHealth(this IServiceCollection services)
    {
        // The checks keep state between runs (progress seen last time), so each is one instance for the host's life.
        services.AddSingleton<MonitorsHealthCheck>();
        services.AddSingleton<JournalWriterHealthCheck>();
        services.AddSingleton<MqttMirrorHealthCheck>();
        services.AddSingleton<IndicatorsHealthCheck>();
        services.AddSingleton<ControlSocketHealthCheck>();
        services.AddHealthChecks()
            .Add(Registration<MonitorsHealthCheck>("monitors"))
            .Add(Registration<JournalWriterHealthCheck>("journal"))
            .Add(Registration<MqttMirrorHealthCheck>("mqtt"))
            .Add(Registration<IndicatorsHealthCheck>("indicators"))
            .Add(Registration<ControlSocketHealthCheck>("control"));
        services.AddHostedSingleton<HealthMonitor>();
        // The heartbeat line reads the monitor's last report.
        services.AddAlias<IHealthSignal, HealthMonitor>();
        return services;
    }

    // A check that throws counts as Unhealthy (the registration's failure status).
    private static HealthCheckRegistration Registration<T>(string name) where T : class, IHealthCheck =>
        new(name, sp => sp.GetRequiredService<T>(), HealthStatus.Unhealthy, tags: null);
}
