using System.Diagnostics.CodeAnalysis;
using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Host.Configuration;
using Appliance.Host.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Hosting;

/// <summary>Binds every configuration section to its options class, fills derived defaults, and registers each
/// section's validator to run once, at start (<c>ValidateOnStart</c>): a bad value stops start-up with a message
/// naming the key. <see cref="ConfigurationCheck.Validate{T}"/> runs those validators before anything is created.</summary>
internal static class OptionsRegistration
{
    public static IServiceCollection AddApplianceOptions(this IServiceCollection services, IConfiguration config, IReadOnlyList<EmulatedVmSection> emulated)
    {
        services.AddOptions<ApplianceOptions>().Bind(config).ValidateOnce(new ApplianceOptionsValidator());

        // The derived defaults read the top-level settings as given, not through IOptions<ApplianceOptions>: a bad
        // top-level value then fails once, in its own section, instead of once per section that depends on it.
        var appliance = new ApplianceOptions();
        config.Bind(appliance);

        services.AddOptions<JournalOptions>().Bind(config.GetSection(JournalOptions.SectionName))
            .PostConfigure(journal =>
            {
                if (config[$"{JournalOptions.SectionName}:Path"] is null) journal.Path = Path.Combine(appliance.StateDirectory, "journal.db");
            })
            .ValidateOnce(new ComponentOptionsValidator<JournalOptions>("Journal", o => o.Validate()));

        // The emulated VMs that run: planned from the Emulator and Monitors sections (EmulatedVms.Plan).
        services.AddOptions<EmulatorSection>()
            .Configure(emulator =>
            {
                emulator.Enabled = emulated.Count > 0;
                emulator.Vms = [.. emulated];
            })
            .ValidateOnce(new ComponentOptionsValidator<EmulatorSection>(EmulatorSection.SectionName, o => o.Problems()));

        services.AddOptions<MonitorOptions>().Bind(config.GetSection(MonitorOptions.SectionName))
            .PostConfigure(monitors =>
            {
                // The appliance attaches to its own emulated VMs exactly as to real QEMU: over their QMP sockets. Appended
                // last, once per name (the Emulator section reports a repeated or bad name), declared at their own key.
                foreach (var (vm, i) in emulated.Select((vm, i) => (vm, i)).DistinctBy(p => p.vm.Name, StringComparer.Ordinal))
                {
                    monitors.Vms.Add(VmMonitorOptions.DeclaredElsewhere(
                        $"{EmulatorSection.SectionName}:Vms:{i}", vm.Name, "unix:" + EmulatedVms.MonitorSocket(appliance, vm.Name)));
                }
            })
            .ValidateOnce(new ComponentOptionsValidator<MonitorOptions>("Monitors", o => o.Problems(), EmulatorSection.SectionName));

        services.AddOptions<MqttMirrorOptions>().Bind(config.GetSection("Mqtt"))
            .PostConfigure(mqtt =>
            {
                // An invalid Node is reported once, as Node; the mirror does not repeat it as its own.
                if (string.IsNullOrWhiteSpace(mqtt.Node) && ApplianceOptions.IsValidNode(appliance.Node)) mqtt.Node = appliance.Node;
                // An empty list ("AllowedCommands": [] in JSON, or an empty value) binds as nothing at all; it means
                // "no commands", not "the defaults".
                if (mqtt.AllowedCommands is null && config.GetSection("Mqtt").GetChildren().Any(c => c.Key == "AllowedCommands")) mqtt.AllowedCommands = [];
            })
            .ValidateOnce(new ComponentOptionsValidator<MqttMirrorOptions>("Mqtt", o => o.Problems()));

        // The board profiles, read once: the indicators' rules check pin names against them, the hardware opens them.
        var boards = new Lazy<BoardCatalog>(() => BoardCatalog.Load());
        services.AddSingleton(_ => boards.Value);
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
            .ValidateOnce(new ComponentOptionsValidator<IndicatorOptions>("Indicators", o => IndicatorProblems(o, boards)));

        services.AddOptions<MetricsOptions>().Bind(config.GetSection(MetricsOptions.SectionName))
            .ValidateOnce(new ComponentOptionsValidator<MetricsOptions>(MetricsOptions.SectionName, o => o.Problems()));
        return services;
    }

    /// <summary>Registers <paramref name="validator"/> to run at start, and serves <see cref="IOptions{TOptions}"/>
    /// from the value validated then: the framework's own <see cref="IOptions{TOptions}"/> keeps a cache apart from the
    /// one <c>ValidateOnStart</c> fills, so the first component to read it would bind and validate the section again.</summary>
    private static OptionsBuilder<TOptions> ValidateOnce<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        this OptionsBuilder<TOptions> options, IValidateOptions<TOptions> validator)
        where TOptions : class
    {
        options.Services.AddSingleton(validator);
        options.Services.AddSingleton<IOptions<TOptions>>(sp => new OptionsWrapper<TOptions>(sp.GetRequiredService<IOptionsMonitor<TOptions>>().CurrentValue));
        return options.ValidateOnStart();
    }

    /// <summary>The section's own rules, then the board name and every pin name against that board's profile.</summary>
    private static IEnumerable<string> IndicatorProblems(IndicatorOptions options, Lazy<BoardCatalog> boards)
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
            problems.AddRange(options.PinProblems(boards.Value.Get(options.Board)));
        }
        catch (IndicatorConfigurationException e)
        {
            problems.Add(e.Message);
        }
        return problems;
    }
}
