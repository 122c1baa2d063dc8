using System.Text.Json;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Pipeline;
using static Appliance.Bridge.Tests.Indicators.IndicatorHarness;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class LatchedAlarmTests
{
    [Theory]
    [InlineData("WATCHDOG", """{"action": "reset"}""")]
    [InlineData("GUEST_PANICKED", """{"action": "pause"}""")]
    [InlineData("BLOCK_IO_ERROR", """{"device": "ide0-hd1", "operation": "write", "action": "stop"}""")]
    [InlineData("BLOCK_IMAGE_CORRUPTED", """{"device": "", "node-name": "drive", "msg": "bad", "fatal": true}""")]
    [InlineData("QUORUM_FAILURE", """{"reference": "q", "sector-num": 0, "sectors-count": 1}""")]
    public async Task Critical_event_latches_the_alarm_led_and_relay(string eventName, string data)
    {
        await using var h = await StartAsync();

        await h.PublishAsync("vm1", eventName, data);

        await h.WaitForLevelAsync(Relay, true);
        Assert.Equal(IndicatorPattern.Blink, h.Service.Indicators.Get("alarm")!.Pattern);
        Assert.Equal([eventName], h.StatusBoard.Get("vm1")!.Alarms);
    }

    [Fact]
    public async Task Block_io_error_that_only_reports_does_not_latch()
    {
        await using var h = await StartAsync();

        await h.PublishAsync("vm1", "BLOCK_IO_ERROR", """{"device": "ide0-hd1", "operation": "write", "action": "report"}""");
        await WaitUntilAsync(() => h.Service.Applied == 1, "the event is applied");

        Assert.False(h.Level(Relay));
        Assert.Empty(h.Service.LatchedAlarms("vm1"));
    }

    [Fact]
    public async Task Latched_alarm_holds_until_acknowledged()
    {
        await using var h = await StartAsync();
        await h.PublishAsync("vm1", "WATCHDOG", """{"action": "reset"}""");
        await h.WaitForLevelAsync(Relay, true);

        h.Time.Advance(TimeSpan.FromHours(12));

        Assert.True(h.Level(Relay));
        Assert.Equal(IndicatorPattern.Blink, h.Service.Indicators.Get("alarm")!.Pattern);
    }

    [Fact]
    public async Task Acknowledgement_clears_alarms_and_journals_who_did_it()
    {
        await using var h = await StartAsync();
        await h.PublishAsync("vm1", "WATCHDOG", """{"action": "reset"}""");
        await h.PublishAsync("vm1", "GUEST_PANICKED", """{"action": "pause"}""");
        await WaitUntilAsync(() => h.Service.LatchedAlarms("vm1").Count == 2, "both alarms are latched");

        var cleared = await ((IAlarmAcknowledger)h.Service).AcknowledgeAsync("vm1", AcknowledgeSource.Mqtt, CancellationToken.None);

        var ack = await h.NextJournaledAsync(ApplianceEventNames.AlarmAcknowledged);
        using var data = JsonDocument.Parse(ack.Event.Data);
        Assert.Equal("vm1", ack.Vm);
        Assert.Equal(["WATCHDOG", "GUEST_PANICKED"], Assert.Single(cleared).Alarms);
        Assert.Equal("mqtt", data.RootElement.GetProperty("by").GetString());
        Assert.Equal(["WATCHDOG", "GUEST_PANICKED"], data.RootElement.GetProperty("alarms").EnumerateArray().Select(a => a.GetString()));
        Assert.False(h.Level(Relay));
        Assert.False(h.Level(Alarm));
        Assert.Empty(h.StatusBoard.Get("vm1")!.Alarms);
    }

    [Fact]
    public async Task Acknowledging_one_vm_leaves_another_vms_alarm_latched()
    {
        await using var h = await StartAsync();
        await h.PublishAsync("vm1", "WATCHDOG", """{"action": "reset"}""");
        await h.PublishAsync("vm2", "WATCHDOG", """{"action": "reset"}""");
        await WaitUntilAsync(() => h.Service.Applied == 2, "both events are applied");

        var acknowledged = await h.Service.AcknowledgeAsync("vm1", AcknowledgeSource.Cli, CancellationToken.None);

        Assert.Equal("vm1", Assert.Single(acknowledged).Vm);
        Assert.True(h.Level(Relay));
        Assert.Equal(["WATCHDOG"], h.StatusBoard.Get("vm2")!.Alarms);
    }

    [Fact]
    public async Task Acknowledging_without_latched_alarms_publishes_nothing()
    {
        await using var h = await StartAsync();

        var acknowledged = await h.Service.AcknowledgeAsync(null, AcknowledgeSource.Cli, CancellationToken.None);

        Assert.Empty(acknowledged);
        Assert.False(h.Journaled.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Push_button_acknowledges_all_alarms()
    {
        var options = IndicatorOptions.CreateDefault();
        options.AcknowledgeButton = new AcknowledgeButtonOptions { Pin = "BUTTON", Debounce = TimeSpan.FromMilliseconds(30) };
        await using var h = await StartAsync(options);
        await h.PublishAsync("vm1", "WATCHDOG", """{"action": "reset"}""");
        await h.WaitForLevelAsync(Relay, true);

        h.Gpio.Press(Button);
        h.Time.Advance(TimeSpan.FromMilliseconds(30));

        var ack = await h.NextJournaledAsync(ApplianceEventNames.AlarmAcknowledged);
        using var data = JsonDocument.Parse(ack.Event.Data);
        Assert.Equal("button", data.RootElement.GetProperty("by").GetString());
        await h.WaitForLevelAsync(Relay, false);
    }

    [Fact]
    public async Task Latched_alarms_survive_a_restart_through_the_journal()
    {
        var journal = new InMemoryJournalReader();
        journal.Add("vm1", "WATCHDOG", VmEventFlags.Critical);
        journal.Add("vm1", ApplianceEventNames.AlarmAcknowledged);
        journal.Add("vm2", "GUEST_PANICKED", VmEventFlags.Critical);

        await using var h = await StartAsync(journal: journal);

        Assert.Equal(["GUEST_PANICKED"], h.StatusBoard.Get("vm2")!.Alarms);
        Assert.Empty(h.Service.LatchedAlarms("vm1"));
        Assert.True(h.Level(Relay));
        Assert.DoesNotContain(false, h.Gpio.TransitionsOf(Relay).Skip(1).Select(t => t.Active));
    }

    [Fact]
    public async Task Restart_replay_asks_the_journal_for_critical_events_and_acknowledgements()
    {
        var journal = new InMemoryJournalReader();

        await using var h = await StartAsync(journal: journal);

        var query = Assert.Single(journal.Queries);
        Assert.Equal(1000, query.Limit);
        Assert.Contains(ApplianceEventNames.AlarmAcknowledged, query.Events!);
        Assert.Contains("BLOCK_IMAGE_CORRUPTED", query.Events!);
    }

    [Fact]
    public async Task Event_made_critical_by_the_policy_latches_the_alarm()
    {
        await using var h = await StartAsync(criticalEvents: new CriticalEventClassifier(["RESET"]));

        await h.PublishAsync("vm1", "RESET", """{"guest": true, "reason": "guest-reset"}""");

        await h.WaitForLevelAsync(Relay, true);
        Assert.Equal(["RESET"], h.StatusBoard.Get("vm1")!.Alarms);
    }

    [Fact]
    public async Task Event_made_critical_by_the_policy_is_replayed_after_a_restart()
    {
        var journal = new InMemoryJournalReader();
        journal.Add("vm1", "RESET", VmEventFlags.Critical);

        await using var h = await StartAsync(journal: journal, criticalEvents: new CriticalEventClassifier(["RESET"]));

        Assert.Contains("RESET", Assert.Single(journal.Queries).Events!);
        Assert.Equal(["RESET"], h.StatusBoard.Get("vm1")!.Alarms);
        Assert.True(h.Level(Relay));
    }

    [Fact]
    public async Task Replay_takes_criticality_from_the_journaled_flag_not_from_the_name()
    {
        var journal = new InMemoryJournalReader();
        journal.Add("vm1", "BLOCK_IO_ERROR"); // action report: journaled as ordinary
        journal.Add("vm2", "BLOCK_IO_ERROR", VmEventFlags.Critical); // action stop

        await using var h = await StartAsync(journal: journal);

        Assert.Empty(h.Service.LatchedAlarms("vm1"));
        Assert.Equal(["BLOCK_IO_ERROR"], h.Service.LatchedAlarms("vm2"));
    }

    [Fact]
    public async Task Acknowledgement_before_the_service_started_clears_nothing()
    {
        await using var h = Create();

        Assert.Empty(await h.Service.AcknowledgeAsync(null, AcknowledgeSource.Cli, CancellationToken.None));
    }
}
