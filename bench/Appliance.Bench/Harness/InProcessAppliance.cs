using System.Globalization;
using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Appliance.Bench.Harness;

/// <summary>The appliance composed exactly as <c>appliance run</c> composes it, attached to given QMP monitors,
/// journaling into a temp directory and mirroring to a given broker port.</summary>
public sealed class InProcessAppliance : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessAppliance(IHost host, string directory)
    {
        _host = host;
        Directory = directory;
    }

    /// <summary>Its state and runtime directory.</summary>
    public string Directory { get; }

    /// <summary>The journal file.</summary>
    public string JournalPath => Path.Combine(Directory, "journal.db");

    /// <summary>The running journal.</summary>
    public EventJournal Journal => _host.Services.GetRequiredService<EventJournal>();

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Starts it with monitors for <paramref name="vms"/> (name to socket path) and waits until each answers and its
    /// connect marker is journaled, so a caller that reads the journal's sequence next sees only what it asks for.</summary>
    public static async Task<InProcessAppliance> StartAsync(IReadOnlyDictionary<string, string> vms, int mqttPort, string topicPrefix,
        IDictionary<string, string?>? extra, CancellationToken cancellationToken)
    {
        string dir = System.IO.Directory.CreateTempSubdirectory("bench-appliance-").FullName;
        var values = new Dictionary<string, string?>
        {
            ["Node"] = "bench",
            ["StateDirectory"] = dir,
            ["RuntimeDirectory"] = Path.Combine(dir, "run"),
            ["Dashboard"] = "off",
            ["Emulator:Enabled"] = "false",
            ["Journal:Path"] = Path.Combine(dir, "journal.db"),
            ["Journal:RetentionMaxBytes"] = "0",
            ["Mqtt:Broker:Host"] = "127.0.0.1",
            ["Mqtt:Broker:Port"] = mqttPort.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:TopicPrefix"] = topicPrefix,
            ["Indicators:Board"] = "sim",
        };
        int i = 0;
        foreach (var (name, path) in vms)
        {
            values[$"Monitors:Vms:{i}:Name"] = name;
            values[$"Monitors:Vms:{i++}:Endpoint"] = "unix:" + path;
        }
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) values[k] = v;
        var host = ApplianceHost.Build(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), outputRedirected: true);
        var appliance = new InProcessAppliance(host, dir);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (string name in vms.Keys) await appliance.WaitConnectedAsync(name, cancellationToken).ConfigureAwait(false);
        return appliance;
    }

    /// <summary>Sends a QMP command to a VM through the appliance's own monitor.</summary>
    public Task<Appliance.Qmp.Messages.QmpResponse> ExecuteAsync(string vm, string command, string argumentsJson, CancellationToken cancellationToken) =>
        _host.Services.GetRequiredService<IVmCommandGateway>().ExecuteAsync(vm, command, Encoding.UTF8.GetBytes(argumentsJson), cancellationToken);

    /// <summary>Stops the host and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _host.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task WaitConnectedAsync(string vm, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await ExecuteAsync(vm, "query-status", "", cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
        // The marker goes through the hub to the writer after the monitor answers; a caller that took the journal's
        // sequence as a baseline before it commits would count it as one of its own events.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        var marker = new JournalQuery(Vm: vm, Events: [ApplianceEventNames.Gap], Limit: 1);
        while (true)
        {
            long seen = Journal.LastCommittedSeq;
            if (Journal.Query(marker).Count > 0) return;
            await Journal.WaitForCommitAsync(seen, limit.Token).ConfigureAwait(false);
        }
    }
}
