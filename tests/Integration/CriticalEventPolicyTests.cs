using System.Text.Json;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Integration.Support;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>One criticality key (<c>CriticalEvents</c>) is followed everywhere: an event made critical through it is
/// latched by the indicators, journaled as critical, published on the broker with the alarm, and latched again after a
/// restart from the journal file.</summary>
public sealed class CriticalEventPolicyTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Emulator:Vms:0:Name"] = "vm1",
        ["CriticalEvents:0"] = "RESET",
    };

    [Fact]
    public async Task Event_made_critical_by_the_one_key_is_latched_journaled_published_and_replayed_after_a_restart()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "test/box1/#");
        using var directory = new TempDirectory();

        await using (var app = await ApplianceUnderTest.StartAsync(broker.Port, Settings, directory))
        {
            var board = app.Get<VmStatusBoard>();
            await Eventually.TrueAsync(() => board.Get("vm1") is { Monitor: MonitorState.Running, RunStatus: "running" }, "vm1 monitor running and VM running");
            Assert.Empty(board.Get("vm1")!.Alarms);

            var reply = await app.Get<IVmCommandGateway>().ExecuteAsync("vm1", "system_reset", default, CancellationToken.None);
            Assert.IsType<QmpReturn>(reply);

            await Eventually.TrueAsync(() => board.Get("vm1")?.Alarms.Contains("RESET") == true, "RESET latched as vm1's alarm");
            Assert.Equal(IndicatorPattern.Blink, app.Get<IndicatorService>().Indicators.Get("alarm")?.Pattern);

            var journal = app.Get<IJournalReader>();
            JournalEntry? row = null;
            await Eventually.TrueAsync(() => (row = journal.Query(new JournalQuery(Vm: "vm1", Events: ["RESET"])).SingleOrDefault()) is not null, "RESET journaled");
            Assert.Equal(VmEventFlags.Critical, row!.Flags & VmEventFlags.Critical);

            var published = await subscriber.WaitForAsync(m => m.Topic == "test/box1/vm/vm1/event/RESET", TimeSpan.FromSeconds(20));
            using (var payload = JsonDocument.Parse(published.Payload))
            {
                Assert.Equal(row.Seq, payload.RootElement.GetProperty("seq").GetInt64());
            }
            await subscriber.WaitForAsync(m => m.Topic == "test/box1/vm/vm1/state" && AlarmsOf(m.Payload).Contains("RESET"), TimeSpan.FromSeconds(20));
        }

        await using (var restarted = await ApplianceUnderTest.StartAsync(broker.Port, Settings, directory))
        {
            // The replay runs inside the indicators' start: the alarm is back before any new event arrives.
            Assert.Equal(["RESET"], restarted.Get<IndicatorService>().LatchedAlarms("vm1"));
            Assert.Equal(IndicatorPattern.Blink, restarted.Get<IndicatorService>().Indicators.Get("alarm")?.Pattern);
            await Eventually.TrueAsync(() => restarted.Get<VmStatusBoard>().Get("vm1")?.Alarms.Contains("RESET") == true, "RESET latched again on the status board");
        }
    }

    private static string[] AlarmsOf(string statePayload)
    {
        using var doc = JsonDocument.Parse(statePayload);
        return [.. doc.RootElement.GetProperty("alarms").EnumerateArray().Select(a => a.GetString()!)];
    }
}
