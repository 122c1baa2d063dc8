using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Bridge.Tests.Mqtt;

/// <summary>Runs an <see cref="MqttMirror"/> against a broker with an in-memory journal and a fake gateway.</summary>
internal sealed class MirrorHarness : IAsyncDisposable
{
    public const string Node = "box1";

    private MirrorHarness(MqttMirrorOptions options, InMemoryJournal journal, VmStatusBoard board, FakeGateway gateway, FakeLogger<MqttMirror> log,
        TimeProvider? timeProvider, IAlarmAcknowledger? acknowledger)
    {
        Options = options;
        Journal = journal;
        Board = board;
        Gateway = gateway;
        Log = log;
        Mirror = new MqttMirror(options, journal, board, gateway, log, timeProvider, acknowledger);
    }

    public MqttMirrorOptions Options { get; }

    public InMemoryJournal Journal { get; }

    public VmStatusBoard Board { get; }

    public FakeGateway Gateway { get; }

    public FakeLogger<MqttMirror> Log { get; }

    public MqttMirror Mirror { get; }

    public static MqttMirrorOptions OptionsFor(int port, Action<MqttMirrorOptions>? configure = null)
    {
        var options = new MqttMirrorOptions
        {
            Node = Node,
            Broker = new MqttBrokerOptions
            {
                Host = "127.0.0.1",
                Port = port,
                ClientId = "mirror-" + Guid.NewGuid().ToString("N")[..8],
                ReconnectDelay = TimeSpan.FromSeconds(1),
                ReconnectDelayMax = TimeSpan.FromSeconds(2),
            },
            // InMemoryJournal's rows were received in 1970: past any age bound. MqttBacklogLimitTests sets its own.
            MaxBacklogAge = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Starts a mirror; with <paramref name="waitForConnect"/>, returns once it is connected.</summary>
    public static async Task<MirrorHarness> StartAsync(MqttMirrorOptions options, InMemoryJournal? journal = null,
        VmStatusBoard? board = null, FakeGateway? gateway = null, bool waitForConnect = true, TimeProvider? timeProvider = null,
        IAlarmAcknowledger? acknowledger = null)
    {
        var harness = new MirrorHarness(options, journal ?? new InMemoryJournal(), board ?? new VmStatusBoard(),
            gateway ?? new FakeGateway("vm1", "vm2"), new FakeLogger<MqttMirror>(), timeProvider, acknowledger);
        await harness.Mirror.StartAsync(CancellationToken.None);
        if (waitForConnect) await WaitForBirthAsync(options);
        return harness;
    }

    /// <summary>Returns once the mirror has published "online": it subscribes to its command topics before that,
    /// so commands reach it from then on.</summary>
    public static async Task WaitForBirthAsync(MqttMirrorOptions options)
    {
        using var status = await MqttProbe.StartAsync(options.Broker.Port, options.Broker.Protocol, persistent: false, "appliance/box1/status");
        await status.WaitUntilAsync(r => r.Any(m => MqttProbe.Text(m) == "online"), "the mirror's birth message");
    }

    /// <summary>Polls a condition that has no event of its own (generous deadline; not a timing assertion).</summary>
    public async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + MqttProbe.Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}. Log:\n{string.Join('\n', Log.Collector.GetSnapshot())}");
            await Task.Delay(20);
        }
    }

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(MqttProbe.Patience);
        await Mirror.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Mirror.Dispose();
    }
}
