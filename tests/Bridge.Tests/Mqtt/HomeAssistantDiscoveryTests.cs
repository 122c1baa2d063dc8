using System.Text.Json;
using Appliance.Bridge.Mqtt.Client;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Events;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class HomeAssistantDiscoveryTests
{
    private const string Configs = "homeassistant/+/appliance_box1_vm1/+/config";
    private const int ConfigsPerVm = 10;

    [Fact]
    public async Task Each_vm_is_announced_as_one_device_with_sensors_an_event_entity_buttons_and_device_triggers()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true));

        var configs = await RetainedConfigsAsync(broker.Port);

        Assert.Equal(
        [
            "homeassistant/binary_sensor/appliance_box1_vm1/alarm/config",
            "homeassistant/binary_sensor/appliance_box1_vm1/running/config",
            "homeassistant/button/appliance_box1_vm1/acknowledge/config",
            "homeassistant/button/appliance_box1_vm1/powerdown/config",
            "homeassistant/button/appliance_box1_vm1/reset/config",
            "homeassistant/device_automation/appliance_box1_vm1/block_io_error/config",
            "homeassistant/device_automation/appliance_box1_vm1/guest_panicked/config",
            "homeassistant/device_automation/appliance_box1_vm1/watchdog/config",
            "homeassistant/event/appliance_box1_vm1/qmp/config",
            "homeassistant/sensor/appliance_box1_vm1/state/config",
        ], configs.Keys.Order());
        Assert.All(configs.Values, c => Assert.Equal("appliance_box1_vm1", c.GetProperty("device").GetProperty("identifiers")[0].GetString()));
        var reset = configs["homeassistant/button/appliance_box1_vm1/reset/config"];
        Assert.Equal("appliance/box1/vm/vm1/cmd", reset.GetProperty("command_topic").GetString());
        Assert.Equal("""{"execute":"system_reset"}""", reset.GetProperty("payload_press").GetString());
    }

    [Fact]
    public async Task Every_entity_needs_both_the_node_online_and_its_vm_monitor_connected()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true));

        var configs = await RetainedConfigsAsync(broker.Port);

        foreach (var (topic, config) in configs.Where(c => !c.Key.Contains("/device_automation/", StringComparison.Ordinal)))
        {
            Assert.False(config.TryGetProperty("availability_topic", out _), $"{topic}: availability_topic cannot be combined with a list");
            Assert.Equal("all", config.GetProperty("availability_mode").GetString());
            var availability = config.GetProperty("availability").EnumerateArray().ToList();
            Assert.Equal(["appliance/box1/status", "appliance/box1/vm/vm1/monitor"], availability.Select(a => a.GetProperty("topic").GetString()));
            Assert.All(availability, a => Assert.Equal(("online", "offline"),
                (a.GetProperty("payload_available").GetString(), a.GetProperty("payload_not_available").GetString())));
            Assert.Contains("value_json.connected", availability[1].GetProperty("value_template").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_monitor_topic_says_connected_while_the_monitor_is_up_and_not_once_it_is_lost()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true));
        using var ha = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/vm1/monitor");

        mirror.Board.SetMonitorState("vm1", MonitorState.Running);
        await ha.WaitUntilAsync(r => r.Any(m => Connected(m) == true), "monitor connected");
        mirror.Board.SetMonitorState("vm1", MonitorState.Disconnected);

        await ha.WaitUntilAsync(r => Connected(r[^1]) == false, "monitor lost");
        Assert.Equal("disconnected", MqttProbe.Json(ha.Received[^1]).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Device_triggers_fire_on_watchdog_guest_panicked_and_only_the_block_io_error_that_stopped_the_vm()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true));

        var configs = await RetainedConfigsAsync(broker.Port);

        var triggers = configs.Where(c => c.Key.Contains("/device_automation/", StringComparison.Ordinal))
            .ToDictionary(c => c.Value.GetProperty("topic").GetString()!, c => c.Value);
        Assert.Equal(["appliance/box1/vm/vm1/event/BLOCK_IO_ERROR", "appliance/box1/vm/vm1/event/GUEST_PANICKED", "appliance/box1/vm/vm1/event/WATCHDOG"],
            triggers.Keys.Order());
        Assert.All(triggers.Values, t => Assert.Equal("trigger", t.GetProperty("automation_type").GetString()));
        Assert.Equal(3, triggers.Values.Select(t => (t.GetProperty("type").GetString(), t.GetProperty("subtype").GetString())).Distinct().Count());
        var blockIo = triggers["appliance/box1/vm/vm1/event/BLOCK_IO_ERROR"];
        Assert.Equal("stop", blockIo.GetProperty("payload").GetString());
        Assert.Contains("value_json.data.action", blockIo.GetProperty("value_template").GetString(), StringComparison.Ordinal);
        Assert.False(triggers["appliance/box1/vm/vm1/event/WATCHDOG"].TryGetProperty("payload", out _), "every WATCHDOG fires");
    }

    [Fact]
    public async Task The_event_entity_lists_every_event_type_that_arrives_on_its_state_topic()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var events = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/vm1/event/+");
        var journal = new InMemoryJournal();
        journal.Append("vm1", ApplianceEventNames.Gap, """{"event": "APPLIANCE_GAP", "data": {"reason": "connected"}}""", VmEventFlags.Gap);
        journal.Append("vm1", ApplianceEventNames.AlarmAcknowledged, """{"event": "APPLIANCE_ALARM_ACK", "data": {"by": "mqtt", "alarms": []}}""");
        journal.Append("vm1", QmpEventNames.Watchdog, """{"event": "WATCHDOG", "data": {"action": "reset"}}""");
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true), journal);

        await events.WaitUntilAsync(r => r.Count >= 3, "the three events");
        var entity = (await RetainedConfigsAsync(broker.Port))["homeassistant/event/appliance_box1_vm1/qmp/config"];

        var listed = entity.GetProperty("event_types").EnumerateArray().Select(e => e.GetString()).ToHashSet();
        Assert.All(events.Received, m => Assert.Contains(MqttProbe.Json(m).GetProperty("event").GetString(), listed));
        Assert.Superset(QmpEventCatalog.Names.ToHashSet<string?>(), listed);
        Assert.Contains("OTHER", listed);
        Assert.Equal("appliance/box1/vm/vm1/event/+", entity.GetProperty("state_topic").GetString());
    }

    [Fact]
    public async Task Discovery_json_is_plain_text_without_escaped_quotes_or_plus_signs()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true));
        using var ha = await MqttProbe.StartAsync(broker.Port, Configs);
        await ha.WaitUntilAsync(r => r.Count >= ConfigsPerVm, "the retained configs");

        var running = MqttProbe.Text(ha.Received.Single(m => m.Topic.EndsWith("/running/config", StringComparison.Ordinal)));
        var entity = MqttProbe.Text(ha.Received.Single(m => m.Topic.EndsWith("/qmp/config", StringComparison.Ordinal)));

        Assert.Contains("{{ 'ON' if value_json.running else 'OFF' }}", running, StringComparison.Ordinal);
        Assert.Contains("\"appliance/box1/vm/vm1/event/+\"", entity, StringComparison.Ordinal);
        Assert.All(ha.Received.Select(MqttProbe.Text), text => Assert.DoesNotContain("\\u", text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Event_messages_are_never_retained_so_a_late_subscriber_gets_none()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var live = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/+/event/+");
        var journal = new InMemoryJournal();
        journal.Append("vm1", QmpEventNames.Watchdog, """{"event": "WATCHDOG", "data": {"action": "reset"}}""");
        journal.Append("vm1", ApplianceEventNames.Gap, """{"event": "APPLIANCE_GAP", "data": {"reason": "connected"}}""", VmEventFlags.Gap);
        journal.Append("vm1", ApplianceEventNames.AlarmAcknowledged, """{"event": "APPLIANCE_ALARM_ACK", "data": {"by": "mqtt", "alarms": []}}""");
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true), journal);
        await live.WaitUntilAsync(r => r.Count >= 3, "the events, live");

        // Retained messages arrive on subscribe, before the probe's own readiness message.
        using var late = await MqttProbe.StartAsync(broker.Port, "appliance/box1/#", "homeassistant/#");

        Assert.Contains(late.Received, m => m.Topic == "appliance/box1/status");
        Assert.Contains(late.Received, m => m.Topic.EndsWith("/qmp/config", StringComparison.Ordinal));
        Assert.DoesNotContain(late.Received, m => m.Topic.StartsWith("appliance/box1/vm/", StringComparison.Ordinal) && m.Topic.Contains("/event/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Configs_are_sent_again_when_home_assistant_comes_online()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true));
        using var ha = await MqttProbe.StartAsync(broker.Port, Configs);
        await ha.WaitUntilAsync(r => r.Count >= ConfigsPerVm, "the first announcement");

        ha.Connection.Publish("homeassistant/status", "online"u8, retain: false);

        await ha.WaitUntilAsync(r => r.Count >= 2 * ConfigsPerVm, "the announcement again");
    }

    [Fact]
    public async Task A_vm_that_appears_later_on_the_status_board_is_announced()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true));
        using var ha = await MqttProbe.StartAsync(broker.Port, "homeassistant/+/appliance_box1_late/+/config");

        mirror.Board.SetRunStatus("late", "running");

        await ha.WaitUntilAsync(r => r.Count >= ConfigsPerVm, "the late VM's configs");
    }

    [Fact]
    public async Task Without_opting_in_nothing_is_announced()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        using var ha = await MqttProbe.StartAsync(broker.Port, "homeassistant/#", "appliance/box1/status");

        await ha.NextOnAsync("appliance/box1/status");

        Assert.DoesNotContain(ha.Received, m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal));
    }

    /// <summary>What Home Assistant reads when it subscribes: the retained configs of vm1, by topic.</summary>
    private static async Task<Dictionary<string, JsonElement>> RetainedConfigsAsync(int port)
    {
        using var ha = await MqttProbe.StartAsync(port, Configs);
        await ha.WaitUntilAsync(r => r.Select(m => m.Topic).Distinct().Count() >= ConfigsPerVm, "the retained configs");
        return ha.Received.GroupBy(m => m.Topic).ToDictionary(g => g.Key, g => MqttProbe.Json(g.Last()));
    }

    private static bool? Connected(MqttIncomingMessage message) =>
        message.Payload.Length == 0 ? null : MqttProbe.Json(message).GetProperty("connected").GetBoolean();
}
