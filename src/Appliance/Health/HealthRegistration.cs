using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Control;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Health;

/// <summary>Registers one health check per component and the <see cref="HealthMonitor"/> that runs them.</summary>
internal static class HealthRegistration
{
    public static IServiceCollection AddApplianceHealth(this IServiceCollection services)
    {
        // The checks keep state between runs (progress seen last time), so each is one instance for the host's life.
        services.AddSingleton(sp => new MonitorsHealthCheck(sp.GetRequiredService<MonitorRegistry>(), sp.GetRequiredService<VmStatusBoard>(), Lifetime(sp)));
        services.AddSingleton(sp => new JournalWriterHealthCheck(sp.GetRequiredService<JournalWriter>(), Lifetime(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new MqttMirrorHealthCheck(sp.GetRequiredService<MqttMirror>(), sp.GetRequiredService<MqttMirrorOptions>(), Lifetime(sp),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new IndicatorsHealthCheck(sp.GetRequiredService<IndicatorService>(), sp.GetRequiredService<GpioInputFaults>(), Lifetime(sp)));
        services.AddSingleton(sp => new ControlSocketHealthCheck(sp.GetRequiredService<ControlSocketServer>(), Lifetime(sp)));
        services.AddHealthChecks()
            .Add(Registration<MonitorsHealthCheck>("monitors"))
            .Add(Registration<JournalWriterHealthCheck>("journal"))
            .Add(Registration<MqttMirrorHealthCheck>("mqtt"))
            .Add(Registration<IndicatorsHealthCheck>("indicators"))
            .Add(Registration<ControlSocketHealthCheck>("control"));
        services.AddSingleton(sp => new HealthMonitor(sp.GetRequiredService<HealthCheckService>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<HealthMonitor>>()));
        return services;
    }

    private static IHostApplicationLifetime Lifetime(IServiceProvider sp) => sp.GetRequiredService<IHostApplicationLifetime>();

    // A check that throws counts as Unhealthy (the registration's failure status).
    private static HealthCheckRegistration Registration<T>(string name) where T : class, IHealthCheck =>
        new(name, sp => sp.GetRequiredService<T>(), HealthStatus.Unhealthy, tags: null);
}
