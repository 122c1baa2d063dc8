using Appliance.Bridge.Mqtt;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

/// <summary>Event identity (issue #21): a stable <c>event_id</c>, QEMU's time and the received time, and
/// <c>replayed</c> for events delivered from the backlog; on MQTT 5 also as user properties.</summary>
public sealed class MqttEventIdentityTests
{
    private const string Events = "appliance/box1/vm/+/event/+";

    [Theory]
    [InlineData(MqttProtocolVersion.V5)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task An_event_in_the_journal_before_the_connection_is_replayed_and_one_committed_while_connected_is_live(MqttProtocolVersion protocol)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, Events);
        var journal = new InMemoryJournal();
        journal.Append("vm1", "STOP", """{"event": "STOP"}""");
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.Broker.Protocol = protocol), journal);
        var backlog = MqttProbe.Json(await probe.NextOnAsync("appliance/box1/vm/vm1/event/STOP"));

        journal.Append("vm2", "RESUME", """{"event": "RESUME"}""");
        var live = MqttProbe.Json(await probe.NextOnAsync("appliance/box1/vm/vm2/event/RESUME"));

        Assert.Equal("box1/vm1/1", backlog.GetProperty("event_id").GetString());
        Assert.True(backlog.GetProperty("replayed").GetBoolean());
        Assert.Equal("box1/vm2/2", live.GetProperty("event_id").GetString());
        Assert.False(live.GetProperty("replayed").GetBoolean());
        Assert.Equal("1970-01-01T00:00:02+00:00", live.GetProperty("time").GetString());
        Assert.Equal("1970-01-01T00:00:02+00:00", live.GetProperty("received").GetString());
    }

    [Fact]
    public async Task A_re_sent_event_keeps_its_event_id_and_is_marked_replayed()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, Events);
        var journal = new InMemoryJournal();
        var options = MirrorHarness.OptionsFor(broker.Port);
        await using (var first = await MirrorHarness.StartAsync(options, journal))
        {
            journal.Append("vm1", "STOP", """{"event": "STOP"}""");
            await first.WaitAsync(() => journal.GetCursor("mqtt") == 1, "the live event's PUBACK");
        }

        // A restart whose cursor was never saved sends the row again (a fresh cursor name stands for the lost one).
        var restarted = MirrorHarness.OptionsFor(broker.Port, o => o.CursorName = "mqtt-after-crash");
        await using var second = await MirrorHarness.StartAsync(restarted, journal);
        await probe.WaitUntilAsync(r => r.Count(m => m.Topic == "appliance/box1/vm/vm1/event/STOP") == 2, "the event twice");

        var deliveries = probe.Received.Where(m => m.Topic == "appliance/box1/vm/vm1/event/STOP").Select(MqttProbe.Json).ToList();
        Assert.Equal(["box1/vm1/1", "box1/vm1/1"], deliveries.Select(d => d.GetProperty("event_id").GetString()));
        Assert.Equal([false, true], deliveries.Select(d => d.GetProperty("replayed").GetBoolean()));
    }

    [Fact]
    public async Task Over_mqtt5_event_id_and_replayed_are_also_user_properties()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await PropertySubscriber.StartAsync(broker.Port, Events);
        var journal = new InMemoryJournal();
        journal.Append("vm1", "STOP", """{"event": "STOP"}""");
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port), journal);
        var backlog = await subscriber.WaitForAsync(m => m.Topic.EndsWith("/STOP", StringComparison.Ordinal), "the backlog event");

        journal.Append("vm1", "RESUME", """{"event": "RESUME"}""");
        var live = await subscriber.WaitForAsync(m => m.Topic.EndsWith("/RESUME", StringComparison.Ordinal), "the live event");

        Assert.Equal(new Dictionary<string, string> { ["event_id"] = "box1/vm1/1", ["replayed"] = "true" }, backlog.UserProperties);
        Assert.Equal(new Dictionary<string, string> { ["event_id"] = "box1/vm1/2", ["replayed"] = "false" }, live.UserProperties);
    }

    [Fact]
    public async Task Over_mqtt311_events_carry_the_identity_in_the_json_only()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await PropertySubscriber.StartAsync(broker.Port, Events);
        var journal = new InMemoryJournal();
        journal.Append("vm1", "STOP", """{"event": "STOP"}""");
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.Broker.Protocol = MqttProtocolVersion.V311), journal);

        var message = await subscriber.WaitForAsync(m => m.Topic.EndsWith("/STOP", StringComparison.Ordinal), "the event");

        Assert.Empty(message.UserProperties);
        Assert.Contains("\"event_id\":\"box1/vm1/1\"", message.Payload, StringComparison.Ordinal);
    }
}
