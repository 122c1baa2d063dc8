using System.Globalization;
using Appliance.Host.Hosting;
using Appliance.Host.Systemd;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Appliance.Integration.Support;

/// <summary>The real appliance host, composed exactly as <c>appliance run</c> composes it, in a temp directory,
/// mirroring to a given broker port, on the simulated board.</summary>
internal sealed class ApplianceUnderTest : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly bool _ownsDirectory;
    private bool _stopped;

    private ApplianceUnderTest(IHost host, TempDirectory dir, bool ownsDirectory)
    {
        _host = host;
        Directory = dir;
        _ownsDirectory = ownsDirectory;
    }

    public TempDirectory Directory { get; }

    public IServiceProvider Services => _host.Services;

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    /// <summary>Starts the appliance; in <paramref name="directory"/> (kept on dispose, so a later start finds the same
    /// journal: a restart) when given, else in a fresh temp directory.</summary>
    public static async Task<ApplianceUnderTest> StartAsync(int mqttPort, IDictionary<string, string?>? settings = null, TempDirectory? directory = null,
        SdNotifier? notifier = null)
    {
        var dir = directory ?? new TempDirectory();
        var values = new Dictionary<string, string?>
        {
            ["Node"] = "box1",
            ["StateDirectory"] = dir.File("state"),
            ["RuntimeDirectory"] = dir.File("run"),
            ["Dashboard"] = "off",
            ["Mqtt:Broker:Host"] = "127.0.0.1",
            ["Mqtt:Broker:Port"] = mqttPort.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:TopicPrefix"] = "test",
            ["Indicators:Board"] = "sim",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        // Outside systemd unless a test plays systemd's part: never the NOTIFY_SOCKET the test runner may have.
        var host = ApplianceHost.Build(configuration, outputRedirected: true, notifier: notifier ?? new SdNotifier(null));
        await host.StartAsync();
        return new ApplianceUnderTest(host, dir, ownsDirectory: directory is null);
    }

    /// <summary>Stops the host as SIGTERM does (the host's own stop sequence); idempotent.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
        if (_ownsDirectory) Directory.Dispose();
    }
}
