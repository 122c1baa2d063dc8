using System.Globalization;
using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Host.Configuration;
using Appliance.Host.Hosting;
using Appliance.Host.Metrics;
using Appliance.Host.Systemd;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Network;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Appliance.Tests.Hosting;

/// <summary>Options are checked once per start, by the validators registered with <c>ValidateOnStart</c>: not again
/// by the host's own start, nor by the first component that reads them, and before anything is created.</summary>
public sealed class OptionsValidatedOnceTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Dictionary<string, Func<int>> _calls = [];

    public void Dispose() => _dir.Dispose();

    private IConfiguration Configuration(params (string Key, string Value)[] values)
    {
        var settings = new Dictionary<string, string?>
        {
            ["StateDirectory"] = _dir.File("state"),
            ["RuntimeDirectory"] = _dir.File("run"),
            ["Dashboard"] = "off",
            // Nothing listens there: the mirror keeps trying, the start does not wait for it.
            ["Mqtt:Broker:Host"] = "127.0.0.1",
            ["Mqtt:Broker:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in values) settings[key] = value;
        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    /// <summary>Adds a validator beside the appliance's own to every options class, counting its calls.</summary>
    private void CountValidations(IServiceCollection services)
    {
        Count<ApplianceOptions>(services);
        Count<JournalOptions>(services);
        Count<EmulatorSection>(services);
        Count<MonitorOptions>(services);
        Count<MqttMirrorOptions>(services);
        Count<IndicatorOptions>(services);
        Count<MetricsOptions>(services);
    }

    private void Count<T>(IServiceCollection services) where T : class
    {
        var counter = new CountingValidator<T>();
        services.AddSingleton<IValidateOptions<T>>(counter);
        _calls[typeof(T).Name] = () => counter.Calls;
    }

    [Fact]
    public async Task Each_options_section_is_validated_once_when_the_appliance_starts()
    {
        using var host = ApplianceHost.Build(Configuration(), outputRedirected: true, notifier: new SdNotifier(null), services: CountValidations);
        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal(7, _calls.Count);
        Assert.Equal(_calls.Keys.ToDictionary(k => k, _ => 1), _calls.ToDictionary(c => c.Key, c => c.Value()));
    }

    [Fact]
    public void A_bad_value_is_reported_once_naming_its_key_and_nothing_is_created()
    {
        var e = Assert.Throws<OptionsValidationException>(() =>
            ApplianceHost.Build(Configuration(("Journal:BatchMaxEvents", "0")), outputRedirected: true, notifier: new SdNotifier(null)));

        Assert.Contains("Journal:BatchMaxEvents", Assert.Single(e.Failures), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.File("state")), "validation comes before the state directory is created");
        Assert.False(Directory.Exists(_dir.File("run")), "validation comes before the runtime directory is created");
    }

    private sealed class CountingValidator<T> : IValidateOptions<T> where T : class
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ValidateOptionsResult Validate(string? name, T options)
        {
            Interlocked.Increment(ref _calls);
            return ValidateOptionsResult.Success;
        }
    }
}
