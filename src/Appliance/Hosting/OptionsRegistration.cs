using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Host.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Hosting;

/// <summary>Binds every configuration section to its options class, fills derived defaults, and validates all of
/// them at start (<c>ValidateOnStart</c>): a bad value stops start-up with a message naming the key.
/// <see cref="ConfigurationCheck"/> runs the same validators before anything starts.</summary>
internal static class OptionsRegistration
{
    public static IServiceCollection AddApplianceOptions(this IServiceCollection services, IConfiguration config, IReadOnlyList<EmulatedVmSection> emulated)
    {
        services.AddOptions<ApplianceOptions>().Bind(config).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApplianceOptions>, ApplianceOptionsValidator>();

        // The derived defaults read the top-level settings as given, not through IOptions<ApplianceOptions>: a bad
        // top-level value then fails once, in its own section, instead of once per section that depends on it.
        var appliance = new ApplianceOptions();
        config.Bind(appliance);

        services.AddOptions<JournalOptions>().Bind(config.GetSection(JournalOptions.SectionName))
            .PostConfigure(journal =>
            {
                if (config[$"{JournalOptions.SectionName}:Path"] is null) journal.Path = Path.Combine(appliance.StateDirectory, "journal.db");
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<JournalOptions>>(new ComponentOptionsValidator<JournalOptions>("Journal", o => o.Validate()));

        services.AddOptions<MonitorOptions>().Bind(config.GetSection(MonitorOptions.SectionName))
            .PostConfigure(monitors =>
            {
                // The appliance attaches to its own emulated VMs exactly as to real QEMU: over their QMP sockets.
                foreach (var vm in emulated)
                {
                    monitors.Vms.Add(new VmMonitorOptions { Name = vm.Name, Endpoint = "unix:" + EmulatedVms.MonitorSocket(appliance, vm.Name) });
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MonitorOptions>>(new ComponentOptionsValidator<MonitorOptions>("Monitors", o => o.Problems()));

        services.AddOptions<MqttMirrorOptions>().Bind(config.GetSection("Mqtt"))
            .PostConfigure(mqtt =>
            {
                // An invalid Node is reported once, as Node; the mirror does not repeat it as its own.
                if (string.IsNullOrWhiteSpace(mqtt.Node) && ApplianceOptions.IsValidNode(appliance.Node)) mqtt.Node = appliance.Node;
                // An empty list ("AllowedCommands": [] in JSON, or an empty value) binds as nothing at all; it means
                // "no commands", not "the defaults".
                if (mqtt.AllowedCommands is null && config.GetSection("Mqtt").GetChildren().Any(c => c.Key == "AllowedCommands")) mqtt.AllowedCommands = [];
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttMirrorOptions>>(new ComponentOptionsValidator<MqttMirrorOptions>("Mqtt", o => o.Problems()));

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
        services.AddSingleton<IValidateOptions<IndicatorOptions>>(new ComponentOptionsValidator<IndicatorOptions>("Indicators", IndicatorProblems));
        return services;
    }

    /// <summary>The section's own rules, then the board name and every pin name against that board's profile.</summary>
    private static IEnumerable<string> IndicatorProblems(IndicatorOptions options)
    {
        var problems = new List<string>(options.Problems());
        if (options.Indicators.Count > 0 && options.Rules.Count == 0)
        {
            problems.Add("Indicators:Rules is empty and no default rule applies: the default rules drive indicators named status, alarm and alarm-relay " +
                $"(configured: {string.Join(", ", options.Indicators.Select(i => i.Name))}); give Rules or use those names");
        }
        if (string.IsNullOrWhiteSpace(options.Board)) return problems;
        try
        {
            problems.AddRange(options.PinProblems(BoardCatalog.Load().Get(options.Board)));
        }
        catch (IndicatorConfigurationException e)
        {
            problems.Add(e.Message);
        }
        return problems;
    }
}
