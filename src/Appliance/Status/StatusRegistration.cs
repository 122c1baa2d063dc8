using Appliance.Host.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Host.Status;

/// <summary>Registers the status document and its sections, in the order they appear in it.</summary>
internal static class StatusRegistration
{
    public static IServiceCollection AddStatus(this IServiceCollection services)
    {
        services.AddHostedSingleton<RecentEventsSection>();
        services.AddSingleton<IStatusSection, HealthStatusSection>();
        services.AddSingleton<IStatusSection, VmsStatusSection>();
        services.AddSingleton<IStatusSection, IndicatorsStatusSection>();
        services.AddSingleton<IStatusSection, MqttStatusSection>();
        services.AddSingleton<IStatusSection, JournalStatusSection>();
        // The recent events are a section and a hosted service (it reads its hub subscription): one instance for both.
        services.AddAlias<IStatusSection, RecentEventsSection>();
        return services.AddSingleton<StatusDocument>();
    }
}
