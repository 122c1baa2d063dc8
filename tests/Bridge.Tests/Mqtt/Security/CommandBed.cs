using System.Text;
using Appliance.Bridge.Client;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Mqtt.Client;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Mosquitto;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Bridge.Tests.Mqtt.Security;

/// <summary>The command path end to end: a real mosquitto, the MQTT mirror with the real monitor registry as its
/// gateway, an observed VM, and a sender connected with the protocol version under test.</summary>
internal sealed class CommandBed : IAsyncDisposable
{
    public const string CommandTopic = "appliance/box1/vm/vm1/cmd";
    public const string OwnReplyTopic = "appliance/box1/vm/vm1/cmd/reply";
    public const string ReplyTopic = "appliance/box1/reply/dashboard";

    private readonly MonitorRegistry _registry;
    private int _correlation;

    private CommandBed(MosquittoBroker broker, ObservedVm vm, MonitorRegistry registry, MqttMirror mirror, FakeLogger<MqttMirror> log,
        MqttProtocolVersion protocol)
    {
        Broker = broker;
        Vm = vm;
        _registry = registry;
        Mirror = mirror;
        Log = log;
        Protocol = protocol;
    }

    public MosquittoBroker Broker { get; }
    public ObservedVm Vm { get; }
    public MqttMirror Mirror { get; }
    public FakeLogger<MqttMirror> Log { get; }
    public MqttProtocolVersion Protocol { get; }
    public MqttProbe Sender { get; private set; } = null!;

    /// <summary>Starts everything; <paramref name="configure"/> adjusts the mirror's options; the sender listens on
    /// <paramref name="listen"/> (the reply topics by default).</summary>
    public static async Task<CommandBed> StartAsync(VmKind kind, MqttProtocolVersion protocol, Action<MqttMirrorOptions>? configure = null,
        params string[] listen)
    {
        var broker = await MosquittoBroker.StartAsync();
        var vm = await ObservedVm.StartAsync(kind);
        var board = new VmStatusBoard();
        var monitors = Client.SupervisorHarness.QuickOptions();
        monitors.Vms.Add(new VmMonitorOptions { Name = "vm1", Endpoint = vm.ApplianceEndpoint });
        var registry = new MonitorRegistry(monitors, new EventHub(), board, new CriticalEventClassifier());
        await registry.StartAsync(CancellationToken.None);
        await Client.TestWait.UntilAsync(() => registry.Find("vm1")?.State == MonitorState.Running, "the appliance's monitor of vm1");

        var options = MirrorHarness.OptionsFor(broker.Port, o =>
        {
            o.Broker.Protocol = protocol;
            configure?.Invoke(o);
        });
        var log = new FakeLogger<MqttMirror>();
        var mirror = new MqttMirror(options, new InMemoryJournal(), board, registry, log);
        await mirror.StartAsync(CancellationToken.None);
        var bed = new CommandBed(broker, vm, registry, mirror, log, protocol);
        await MirrorHarness.WaitForBirthAsync(options);
        bed.Sender = await MqttProbe.StartAsync(broker.Port, protocol, persistent: false, listen.Length > 0 ? listen : [ReplyTopic, OwnReplyTopic]);
        return bed;
    }

    /// <summary>Sends <paramref name="command"/> (a JSON object) asking for the reply on <paramref name="replyTo"/>: as
    /// the MQTT 5 response topic, or under MQTT 3.1.1 as the payload's <c>reply-to</c>.</summary>
    public void Send(string command, string? replyTo = ReplyTopic) => Send(Encoding.UTF8.GetBytes(command), replyTo);

    public void Send(byte[] command, string? replyTo = ReplyTopic)
    {
        if (replyTo is null)
        {
            Sender.Connection.Publish(CommandTopic, command, retain: false);
        }
        else if (Protocol == MqttProtocolVersion.V5)
        {
            Sender.Connection.PublishRequest(CommandTopic, command, replyTo, Encoding.UTF8.GetBytes($"c{Interlocked.Increment(ref _correlation)}"));
        }
        else
        {
            int brace = Array.IndexOf(command, (byte)'{');
            byte[] member = Encoding.UTF8.GetBytes($"\"reply-to\": \"{replyTo}\", ");
            Sender.Connection.Publish(CommandTopic, [.. command[..(brace + 1)], .. member, .. command[(brace + 1)..]], retain: false);
        }
    }

    /// <summary>The error member of the first reply on <paramref name="topic"/>.</summary>
    public async Task<(string Class, string Desc)> ErrorOnAsync(string topic = ReplyTopic)
    {
        var error = MqttProbe.Json(await Sender.NextOnAsync(topic)).GetProperty("error");
        return (error.GetProperty("class").GetString()!, error.GetProperty("desc").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        Sender?.Dispose();
        using (var timeout = new CancellationTokenSource(MqttProbe.Patience)) await Mirror.StopAsync(timeout.Token);
        Mirror.Dispose();
        await _registry.StopAsync(CancellationToken.None);
        _registry.Dispose();
        await Vm.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
