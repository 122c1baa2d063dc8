using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class HomeAssistantDiscoveryTests
{
    private const string Configs = "homeassistant/+/appliance_box1_vm1/+/config";

    [Fact]
    public async Task Each_vm_is_announced_as_one_device_with_sensors_an_event_entity_and_buttons()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true));

        using var ha = await MqttProbe.StartAsync(broker.Port, Configs);
        await ha.WaitUntilAsync(r => r.Count >= 7, "seven retained configs");

        var topics = ha.Received.Select(m => m.Topic).Order().ToList();
        Assert.Equal(
        [
            "homeassistant/binary_sensor/appliance_box1_vm1/alarm/config",
            "homeassistant/binary_sensor/appliance_box1_vm1/running/config",
            "homeassistant/button/appliance_box1_vm1/acknowledge/config",
            "homeassistant/button/appliance_box1_vm1/powerdown/config",
            "homeassistant/button/appliance_box1_vm1/reset/config",
            "homeassistant/event/appliance_box1_vm1/qmp/config",
            "homeassistant/sensor/appliance_box1_vm1/state/config",
        ], topics);
        foreach (var config in ha.Received.Select(MqttProbe.Json))
        {
            Assert.Equal("appliance/box1/status", config.GetProperty("availability_topic").GetString());
            Assert.Equal("appliance_box1_vm1", config.GetProperty("device").GetProperty("identifiers")[0].GetString());
        }
        var reset = MqttProbe.Json(ha.Received.Single(m => m.Topic.Contains("/reset/", StringComparison.Ordinal)));
        Assert.Equal("appliance/box1/vm/vm1/cmd", reset.GetProperty("command_topic").GetString());
        Assert.Equal("""{"execute":"system_reset"}""", reset.GetProperty("payload_press").GetString());
    }

    [Fact]
    public async Task Configs_are_sent_again_when_home_assistant_comes_online()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true));
        using var ha = await MqttProbe.StartAsync(broker.Port, Configs);
        await ha.WaitUntilAsync(r => r.Count >= 7, "the first announcement");

        ha.Connection.Publish("homeassistant/status", "online"u8, retain: false);

        await ha.WaitUntilAsync(r => r.Count >= 14, "the announcement again");
    }

    [Fact]
    public async Task A_vm_that_appears_later_on_the_status_board_is_announced()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.HomeAssistantDiscovery = true));
        using var ha = await MqttProbe.StartAsync(broker.Port, "homeassistant/+/appliance_box1_late/+/config");

        mirror.Board.SetRunStatus("late", "running");

        await ha.WaitUntilAsync(r => r.Count >= 7, "the late VM's configs");
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
}
