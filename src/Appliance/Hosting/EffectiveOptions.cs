using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Host.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Hosting;

/// <summary>The options exactly as <c>appliance run</c> would see them (bound, defaults filled, validated), for the
/// verbs that do not start the pipeline: <c>config check</c>, <c>gpio</c>.</summary>
internal sealed class EffectiveOptions : IDisposable
{
    private readonly ServiceProvider _provider;

    private EffectiveOptions(ServiceProvider provider, IReadOnlyList<EmulatedVmSection> emulated)
    {
        _provider = provider;
        Emulated = emulated;
    }

    public IReadOnlyList<EmulatedVmSection> Emulated { get; }

    public ApplianceOptions Appliance => Get<ApplianceOptions>();
    public JournalOptions Journal => Get<JournalOptions>();
    public MonitorOptions Monitors => Get<MonitorOptions>();
    public MqttMirrorOptions Mqtt => Get<MqttMirrorOptions>();
    public IndicatorOptions Indicators => Get<IndicatorOptions>();

    /// <summary>Binds and validates every section. Throws <see cref="OptionsValidationException"/> listing the failures.</summary>
    public static EffectiveOptions Load(IConfiguration configuration)
    {
        var emulated = EmulatedVms.Plan(configuration);
        var services = new ServiceCollection();
        services.AddApplianceOptions(configuration, emulated);
        var options = new EffectiveOptions(services.BuildServiceProvider(), emulated);
        // Touch every section so all failures surface now, together.
        var failures = new List<string>();
        foreach (var read in new Action[] { () => _ = options.Appliance, () => _ = options.Journal, () => _ = options.Monitors, () => _ = options.Mqtt, () => _ = options.Indicators })
        {
            try
            {
                read();
            }
            catch (OptionsValidationException e)
            {
                failures.AddRange(e.Failures);
            }
        }
        if (failures.Count > 0)
        {
            options.Dispose();
            throw new OptionsValidationException("configuration", typeof(EffectiveOptions), failures);
        }
        return options;
    }

    private T Get<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>() where T : class => _provider.GetRequiredService<IOptions<T>>().Value;

    public void Dispose() => _provider.Dispose();
}
