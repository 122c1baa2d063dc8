using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class MqttMirrorStateTests
{
    [Fact]
    public async Task Status_is_retained_online_while_running_and_offline_after_stop()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        using (var whileRunning = await MqttProbe.StartAsync(broker.Port, "appliance/box1/status"))
        {
            Assert.Equal("online", MqttProbe.Text(await whileRunning.NextOnAsync("appliance/box1/status")));
        }

        await mirror.DisposeAsync();

        using var afterStop = await MqttProbe.StartAsync(broker.Port, "appliance/box1/status");
        Assert.Equal("offline", MqttProbe.Text(await afterStop.NextOnAsync("appliance/box1/status")));
    }

    [Fact]
    public async Task Last_will_marks_the_node_offline_when_the_connection_drops_without_a_disconnect()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var relay = new TcpRelay(broker.Port);
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(relay.Port), waitForConnect: false);
        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/status");
        await probe.WaitUntilAsync(r => r.Any(m => MqttProbe.Text(m) == "online"), "the birth message");

        relay.CutAll();

        await probe.WaitUntilAsync(r => r.Any(m => MqttProbe.Text(m) == "offline"), "the last will");
        await probe.WaitUntilAsync(r => MqttProbe.Text(r[^1]) == "online", "the birth message after the reconnect");
    }

    [Fact]
    public async Task Vm_state_is_retained_with_run_status_and_latched_alarms()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));

        mirror.Board.SetRunStatus("vm1", "paused");
        mirror.Board.SetAlarms("vm1", ["WATCHDOG"]);

        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/vm1/state");
        await probe.WaitUntilAsync(r => r.Any(m => MqttProbe.Json(m).GetProperty("alarm").GetBoolean()), "the alarm in the state");
        var state = MqttProbe.Json(probe.Received.Last());
        Assert.Equal("paused", state.GetProperty("status").GetString());
        Assert.False(state.GetProperty("running").GetBoolean());
        Assert.Equal("WATCHDOG", state.GetProperty("alarms")[0].GetString());
    }

    [Fact]
    public async Task Vm_state_under_an_event_flood_is_published_about_once_a_second_and_ends_current()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/vm1/state");
        const int Events = 2_000;
        mirror.Board.SetMonitorState("vm1", MonitorState.Running);
        var flood = System.Diagnostics.Stopwatch.StartNew();

        for (int i = 1; i <= Events; i++)
        {
            var at = DateTimeOffset.UtcNow;
            mirror.Board.Events.Count("vm1", i == Events ? "LAST" : "BALLOON_CHANGE", at);
            mirror.Board.Events.MarkApplied("vm1", at);
            if (i % 20 == 0) Thread.Sleep(1); // spread the flood over a while, as a real one is
        }
        var floodTime = flood.Elapsed;

        await probe.WaitUntilAsync(r => r.Any(m => MqttProbe.Json(m).GetProperty("last-event").GetString() == "LAST"), "the final state");
        var final = MqttProbe.Json(probe.Received.Last());
        Assert.Equal(Events, final.GetProperty("events").GetInt64());
        // One refresh per CounterInterval while the flood lasted, plus the first and the trailing one.
        int allowed = (int)(floodTime / RetainedStatePublisher.CounterInterval) + 3;
        Assert.InRange(probe.Received.Count, 1, allowed);
    }

    [Fact]
    public async Task Monitor_state_is_retained_per_vm()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));

        mirror.Board.SetMonitorState("vm2", MonitorState.Stalled);

        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/vm2/monitor");
        await probe.WaitUntilAsync(r => r.Any(m => MqttProbe.Json(m).GetProperty("state").GetString() == "stalled"), "monitor state stalled");
    }

    [Fact]
    public async Task Indicator_state_is_retained_and_re_sent_after_a_broker_restart()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        mirror.Mirror.PublishIndicator("alarm-led", """{"on": true, "mode": "blink"}""");
        using (var before = await MqttProbe.StartAsync(broker.Port, "appliance/box1/indicator/alarm-led"))
        {
            await before.NextOnAsync("appliance/box1/indicator/alarm-led");
        }

        await broker.StopAsync();
        File.Delete(Path.Combine(broker.Directory.Path, "mosquitto.db"));
        await broker.RestartAsync();
        await mirror.WaitAsync(() => mirror.Mirror.IsConnected, "the reconnect");

        using var after = await MqttProbe.StartAsync(broker.Port, "appliance/box1/indicator/alarm-led");
        Assert.Equal("""{"on": true, "mode": "blink"}""", MqttProbe.Text(await after.NextOnAsync("appliance/box1/indicator/alarm-led")));
    }

    [Fact]
    public async Task Indicator_state_that_is_not_a_json_object_is_refused_with_its_name()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));

        var error = Assert.Throws<ArgumentException>(() => mirror.Mirror.PublishIndicator("relay1", "on"));

        Assert.Contains("relay1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_topic_goes_out_once_however_many_events_follow()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/vm1/monitor", "appliance/box1/vm/vm1/state");
        mirror.Board.SetMonitorState("vm1", MonitorState.Running);

        for (int i = 1; i <= 500; i++)
        {
            var at = DateTimeOffset.UtcNow;
            mirror.Board.Events.Count("vm1", i == 500 ? "LAST" : "BALLOON_CHANGE", at);
            mirror.Board.Events.MarkApplied("vm1", at);
            if (i % 20 == 0) Thread.Sleep(5);
        }

        await probe.WaitUntilAsync(r => r.Any(m => m.Topic.EndsWith("/state", StringComparison.Ordinal)
            && MqttProbe.Json(m).GetProperty("last-event").GetString() == "LAST"), "the final state");
        Assert.Single(probe.Received, m => m.Topic.EndsWith("/monitor", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Vm_state_is_not_re_sent_when_nothing_in_it_changed()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/vm1/state");

        for (int i = 0; i < 4; i++)
        {
            mirror.Board.SetRunStatus("vm1", "running");
            await Task.Delay(RetainedStatePublisher.StateMinInterval * 2);
        }
        mirror.Board.SetRunStatus("vm1", "paused");

        await probe.WaitUntilAsync(r => r.Any(m => MqttProbe.Json(m).GetProperty("status").GetString() == "paused"), "the paused state");
        Assert.Equal(["running", "paused"], probe.Received.Select(m => MqttProbe.Json(m).GetProperty("status").GetString()));
    }

    [Fact]
    public async Task State_of_a_critical_event_carries_the_alarm_it_latched_in_the_same_message()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/vm1/state");
        var at = DateTimeOffset.UtcNow;

        // As in the appliance: the monitor records the event, the indicators latch its alarm a moment later.
        mirror.Board.SetMonitorState("vm1", MonitorState.Running);
        mirror.Board.Events.Count("vm1", "BLOCK_IO_ERROR", at);
        await Task.Delay(RetainedStatePublisher.StateMinInterval);
        mirror.Board.SetAlarms("vm1", ["BLOCK_IO_ERROR"]);
        mirror.Board.Events.MarkApplied("vm1", at);

        await probe.WaitUntilAsync(r => r.Any(m => MqttProbe.Json(m).GetProperty("alarm").GetBoolean()), "the alarm in the state");
        await Task.Delay(RetainedStatePublisher.CounterInterval * 2);
        var message = Assert.Single(probe.Received, m => MqttProbe.Json(m).TryGetProperty("last-event", out var last) && last.GetString() == "BLOCK_IO_ERROR");
        Assert.True(MqttProbe.Json(message).GetProperty("alarm").GetBoolean());
    }
}
