using System.Diagnostics.CodeAnalysis;
using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Host.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Hosting;

/// <summary>The options exactly as <c>appliance run</c> would see them (bound, defaults filled, validated once, by
/// the same registrations), for the verbs that do not start the pipeline: <c>config check</c>, <c>gpio</c>,
/// <c>events</c>.</summary>
internal sealed class EffectiveOptions : IDisposable
{
    private readonly ServiceProvider _provider;

    private EffectiveOptions(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddApplianceOptions(configuration, EmulatedVms.Plan(configuration));
        _provider = services.BuildServiceProvider();
    }

    public IReadOnlyList<EmulatedVmSection> Emulated => Get<EmulatorSection>().Vms;

    public ApplianceOptions Appliance => Get<ApplianceOptions>();
    public JournalOptions Journal => Get<JournalOptions>();
    public MonitorOptions Monitors => Get<MonitorOptions>();
    public MqttMirrorOptions Mqtt => Get<MqttMirrorOptions>();
    public IndicatorOptions Indicators => Get<IndicatorOptions>();

    /// <summary>Checks the whole configuration (<see cref="ConfigurationCheck.Validate{T}"/>) and binds every section.
    /// Throws <see cref="OptionsValidationException"/> listing every problem, one line each.</summary>
    public static EffectiveOptions Load(IConfiguration configuration) =>
        ConfigurationCheck.Validate(configuration, known => new EffectiveOptions(known), options => options._provider);

    private T Get<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>() where T : class =>
        _provider.GetRequiredService<IOptions<T>>().Value;

    public void Dispose() => _provider.Dispose();
}
