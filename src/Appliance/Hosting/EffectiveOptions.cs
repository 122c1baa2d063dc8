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

    /// <summary>Checks the whole configuration (<see cref="ConfigurationCheck"/>), then binds every section.
    /// Throws <see cref="OptionsValidationException"/> listing every problem, one line each.</summary>
    public static EffectiveOptions Load(IConfiguration configuration)
    {
        var problems = ConfigurationCheck.Problems(configuration);
        if (problems.Count > 0) throw new OptionsValidationException("configuration", typeof(EffectiveOptions), problems);
        return Bind(configuration);
    }

    /// <summary>Binds and validates every section of a configuration whose keys and value types are known to be
    /// right. Throws <see cref="OptionsValidationException"/> listing the failures of all sections.</summary>
    internal static EffectiveOptions Bind(IConfiguration configuration)
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
                failures.AddRange(e.Failures.Select(Rephrase));
            }
        }
        if (failures.Count > 0)
        {
            options.Dispose();
            throw new OptionsValidationException("configuration", typeof(EffectiveOptions), failures);
        }
        return options;
    }

    /// <summary>The data-annotation validator says "DataAnnotation validation failed for 'ApplianceOptions' members:
    /// 'Node' with the error: '...'."; an operator needs only the key and the error.</summary>
    private static string Rephrase(string failure)
    {
        const string Members = " members: '", WithError = "' with the error: '";
        int members = failure.IndexOf(Members, StringComparison.Ordinal), error = failure.IndexOf(WithError, StringComparison.Ordinal);
        if (!failure.StartsWith("DataAnnotation", StringComparison.Ordinal) || members < 0 || error < members) return failure;
        string key = failure[(members + Members.Length)..error];
        string message = failure[(error + WithError.Length)..].TrimEnd('.', '\'');
        return message.Contains(key, StringComparison.Ordinal) ? message : $"{key}: {message}";
    }

    private T Get<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>() where T : class => _provider.GetRequiredService<IOptions<T>>().Value;

    public void Dispose() => _provider.Dispose();
}
