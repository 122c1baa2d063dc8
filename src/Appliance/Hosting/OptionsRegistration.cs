using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Host.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Hosting;

/// <summary>Binds every configuration section to its options class, fills derived defaults, and validates all of
/// them at start (<c>ValidateOnStart</c>): a bad value stops start-up with a message naming the key.</summary>
internal static class OptionsRegistration
{
    public static IServiceCollection AddApplianceOptions(this IServiceCollection services, IConfiguration config, IReadOnlyList<EmulatedVmSection> emulated)
    {
        services.AddOptions<ApplianceOptions>().Bind(config).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApplianceOptions>, ApplianceOptionsValidator>();

        services.AddOptions<JournalOptions>().Bind(config.GetSection(JournalOptions.SectionName))
            .PostConfigure<IOptions<ApplianceOptions>>((journal, appliance) =>
            {
                if (config[$"{JournalOptions.SectionName}:Path"] is null) journal.Path = Path.Combine(appliance.Value.StateDirectory, "journal.db");
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<JournalOptions>>(new ComponentOptionsValidator<JournalOptions>("Journal", o => o.ThrowIfInvalid()));

        services.AddOptions<MonitorOptions>().Bind(config.GetSection(MonitorOptions.SectionName))
            .PostConfigure<IOptions<ApplianceOptions>>((monitors, appliance) =>
            {
                // The appliance attaches to its own emulated VMs exactly as to real QEMU: over their QMP sockets.
                foreach (var vm in emulated)
                {
                    monitors.Vms.Add(new VmMonitorOptions { Name = vm.Name, Endpoint = "unix:" + EmulatedVms.MonitorSocket(appliance.Value, vm.Name) });
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MonitorOptions>>(new ComponentOptionsValidator<MonitorOptions>("Monitors", o => o.Validate()));

        services.AddOptions<MqttMirrorOptions>().Bind(config.GetSection("Mqtt"))
            .PostConfigure<IOptions<ApplianceOptions>>((mqtt, appliance) =>
            {
                if (string.IsNullOrWhiteSpace(mqtt.Node)) mqtt.Node = appliance.Value.Node;
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttMirrorOptions>>(new ComponentOptionsValidator<MqttMirrorOptions>("Mqtt", o => o.Validate()));

        services.AddOptions<IndicatorOptions>().Bind(config.GetSection("Indicators"))
            .PostConfigure(indicators =>
            {
                // No indicators configured: the default status LED, alarm LED and alarm relay on the chosen board.
                var defaults = IndicatorOptions.CreateDefault(indicators.Board);
                if (indicators.Indicators.Count == 0 && indicators.Rules.Count == 0)
                {
                    indicators.Indicators = defaults.Indicators;
                    indicators.Rules = defaults.Rules;
                }
                else if (indicators.Rules.Count == 0)
                {
                    // Indicators without Rules: the default rules of those named like the default indicators.
                    var names = indicators.Indicators.Select(i => i?.Name).ToHashSet(StringComparer.Ordinal);
                    indicators.Rules = [.. defaults.Rules.Where(r => names.Contains(r.Indicator))];
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<IndicatorOptions>>(new ComponentOptionsValidator<IndicatorOptions>("Indicators", o =>
        {
            o.Validate();
            if (o.Indicators.Count > 0 && o.Rules.Count == 0)
            {
                throw new IndicatorConfigurationException(
                    $"Indicators:Rules is empty and no default rule applies: the default rules drive indicators named status, alarm and alarm-relay " +
                    $"(configured: {string.Join(", ", o.Indicators.Select(i => i.Name))}); give Rules or use those names");
            }
        }));
        return services;
    }
}
