using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Control;
using Appliance.Integration.Support;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>Acknowledgements from the CLI, MQTT and the push button go through one service in the running host, and the
/// journal records each with its own source and the alarms it cleared.</summary>
public sealed class AcknowledgementSourceTests
{
    [Fact]
    public async Task Cli_acknowledgement_is_journaled_as_cli_and_answered_with_what_was_cleared()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var app = await StartAsync(broker.Port);
        await LatchAsync(app, "vm-a");

        byte[] reply = await ControlClient.SendAsync(app.Directory.File("run/appliance.sock"), ControlProtocol.Request("ack", "vm-a"), CancellationToken.None);

        Assert.Equal("""{"ok":true,"cleared":[{"vm":"vm-a","alarms":["WATCHDOG"]}]}""", System.Text.Encoding.UTF8.GetString(reply));
        Assert.Equal(("vm-a", "cli", "WATCHDOG"), await JournaledAckAsync(app));
    }

    [Fact]
    public async Task Mqtt_acknowledgement_is_journaled_as_mqtt()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var app = await StartAsync(broker.Port);
        await LatchAsync(app, "vm-a");
        await Eventually.TrueAsync(() => app.Get<Appliance.Bridge.Mqtt.MqttMirror>().IsConnected, "the mirror connected");

        await PublishAsync(broker.Port, "test/box1/vm/vm-a/cmd", """{"execute": "x-appliance-ack"}""");

        Assert.Equal(("vm-a", "mqtt", "WATCHDOG"), await JournaledAckAsync(app));
    }

    [Fact]
    public async Task Button_acknowledgement_is_journaled_as_button()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var app = await StartAsync(broker.Port);
        await LatchAsync(app, "vm-a");

        app.Get<SimulatedGpioChips>().Press(new GpioPin("gpiochip0", 3)); // BUTTON on the sim board

        Assert.Equal(("vm-a", "button", "WATCHDOG"), await JournaledAckAsync(app));
    }

    [Fact]
    public async Task Cli_acknowledgement_with_nothing_latched_clears_nothing_and_journals_nothing()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var app = await StartAsync(broker.Port);

        byte[] reply = await ControlClient.SendAsync(app.Directory.File("run/appliance.sock"), ControlProtocol.Request("ack"), CancellationToken.None);

        Assert.Equal("""{"ok":true,"cleared":[]}""", System.Text.Encoding.UTF8.GetString(reply));
        Assert.Empty(app.Get<IJournalReader>().Query(new JournalQuery(Events: [ApplianceEventNames.AlarmAcknowledged])));
    }

    private static Task<ApplianceUnderTest> StartAsync(int port) => ApplianceUnderTest.StartAsync(port, new Dictionary<string, string?>
    {
        ["Indicators:AcknowledgeButton:Pin"] = "BUTTON",
        ["Indicators:AcknowledgeButton:ActiveLow"] = "false",
        ["Indicators:AcknowledgeButton:Debounce"] = "00:00:00",
    });

    private static async Task LatchAsync(ApplianceUnderTest app, string vm)
    {
        var watchdog = (QmpEvent)QmpMessageParser.Parse("""{"timestamp": {"seconds": 1700000001, "microseconds": 2}, "event": "WATCHDOG", "data": {"action": "reset"}}"""u8.ToArray());
        await app.Get<EventHub>().PublishAsync(new VmEvent(vm, watchdog, DateTimeOffset.UtcNow, VmEventFlags.Critical));
        await Eventually.TrueAsync(() => app.Get<VmStatusBoard>().Get(vm)?.Alarms.Count == 1, "the alarm latched");
    }

    private static async Task<(string Vm, string? By, string? Alarm)> JournaledAckAsync(ApplianceUnderTest app)
    {
        var journal = app.Get<IJournalReader>();
        JournalEntry? ack = null;
        await Eventually.TrueAsync(() => (ack = journal.Query(new JournalQuery(Events: [ApplianceEventNames.AlarmAcknowledged])).SingleOrDefault()) is not null,
            "the acknowledgement journaled");
        using var doc = JsonDocument.Parse(ack!.RawJson);
        var data = doc.RootElement.GetProperty("data");
        return (ack.Vm, data.GetProperty("by").GetString(), data.GetProperty("alarms").EnumerateArray().Single().GetString());
    }

    private static async Task PublishAsync(int port, string topic, string payload)
    {
        using var p = Process.Start(new ProcessStartInfo(MosquittoBroker.Executable("mosquitto_pub"),
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-V", "5", "-q", "1", "-t", topic, "-m", payload]))!;
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
    }
}
