using System.Text.Json;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Integration.Support;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>The thin path end to end: an emulated VM on a QMP unix socket, the bridge attached to it as to real
/// QEMU, each event in the SQLite journal, on a real mosquitto broker, and the status LED following the run state.</summary>
public sealed class ThinPathTests
{
    private static readonly string[] RunStateEvents = ["STOP", "RESUME", "RESET", "POWERDOWN", "SHUTDOWN"];

    [Fact]
    public async Task Run_state_commands_reach_journal_mqtt_and_status_led()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "test/box1/#");
        await using var appliance = await ApplianceUnderTest.StartAsync(broker.Port, new Dictionary<string, string?>
        {
            ["Emulator:Vms:0:Name"] = "vm1",
        });
        var board = appliance.Get<VmStatusBoard>();
        var gateway = appliance.Get<IVmCommandGateway>();
        var indicators = appliance.Get<IndicatorService>().Indicators;
        await Eventually.TrueAsync(() => board.Get("vm1") is { Monitor: MonitorState.Running, RunStatus: "running" }, "vm1 monitor running and VM running");
        await Eventually.TrueAsync(() => indicators.Get("status")?.Pattern == IndicatorPattern.On, "status LED on while running");

        await Execute(gateway, "stop");
        await Eventually.TrueAsync(() => indicators.Get("status")?.Pattern == IndicatorPattern.Blink, "status LED blinking while paused");
        await Execute(gateway, "cont");
        await Eventually.TrueAsync(() => indicators.Get("status")?.Pattern == IndicatorPattern.On, "status LED on again after cont");
        await Execute(gateway, "system_reset");
        await Execute(gateway, "system_powerdown"); // the ACPI-aware guest powers off: POWERDOWN, then SHUTDOWN
        await Eventually.TrueAsync(() => indicators.Get("status")?.Pattern == IndicatorPattern.Off, "status LED off after shutdown");

        var journal = appliance.Get<IJournalReader>();
        await Eventually.TrueAsync(() => journal.Query(new JournalQuery(Vm: "vm1", Events: RunStateEvents)).Count >= 5, "five run-state events journaled");
        var rows = journal.Query(new JournalQuery(Vm: "vm1", Limit: 1000));
        Assert.Equal(ApplianceEventNames.Gap, rows[0].Event);
        Assert.Equal(RunStateEvents, rows.Where(r => RunStateEvents.Contains(r.Event)).Select(r => r.Event).Take(5));
        Assert.All(rows.Zip(rows.Skip(1)), pair => Assert.True(pair.Second.Seq > pair.First.Seq));
        var shutdown = rows.First(r => r.Event == "SHUTDOWN");
        using (var raw = JsonDocument.Parse(shutdown.RawJson))
        {
            Assert.Equal("SHUTDOWN", raw.RootElement.GetProperty("event").GetString());
            Assert.True(raw.RootElement.GetProperty("data").GetProperty("guest").GetBoolean());
            Assert.True(raw.RootElement.GetProperty("timestamp").GetProperty("seconds").GetInt64() > 0);
        }

        foreach (string name in RunStateEvents)
        {
            var row = rows.First(r => r.Event == name);
            var message = await subscriber.WaitForAsync(m => m.Topic == $"test/box1/vm/vm1/event/{name}", TimeSpan.FromSeconds(20));
            using var payload = JsonDocument.Parse(message.Payload);
            Assert.Equal(name, payload.RootElement.GetProperty("event").GetString());
            Assert.Equal(row.Seq, payload.RootElement.GetProperty("seq").GetInt64());
            Assert.Equal("vm1", payload.RootElement.GetProperty("vm").GetString());
            Assert.Equal("box1", payload.RootElement.GetProperty("node").GetString());
        }
        var status = await subscriber.WaitForAsync(m => m.Topic == "test/box1/status", TimeSpan.FromSeconds(20));
        Assert.Equal("online", status.Payload);
        await subscriber.WaitForAsync(m => m.Topic == "test/box1/indicator/status", TimeSpan.FromSeconds(20));
    }

    private static async Task Execute(IVmCommandGateway gateway, string command)
    {
        var reply = await gateway.ExecuteAsync("vm1", command, default, CancellationToken.None);
        Assert.IsType<QmpReturn>(reply);
    }
}
