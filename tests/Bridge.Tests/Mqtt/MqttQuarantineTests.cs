using Appliance.Bridge.Mqtt;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class MqttQuarantineTests
{
    [Fact]
    public async Task An_event_the_broker_keeps_rejecting_is_quarantined_and_the_rest_still_flows()
    {
        // mosquitto answers an event over message_size_limit with PUBACK 0x95, and at times drops the connection
        // as well, so that the mirror sends it again on every reconnect: both count as rejections, and either way it
        // ends in quarantine after MaxRejections.
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { MessageSizeLimit = 1000 });
        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/+/event/+");
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));

        AppendStopBigResume(mirror.Journal);

        await AssertBigQuarantinedAndTheRestDeliveredAsync(mirror, probe, "quarantined journal row 2 (vm1 BIG): ");
    }

    [Fact]
    public async Task An_event_the_broker_answers_by_dropping_the_connection_is_quarantined_and_the_rest_still_flows_in_order()
    {
        // Over MQTT 3.1.1 the client does not know the broker's max_packet_size, sends the event, and mosquitto
        // disconnects it every time (no PUBACK at all; the reset may swallow the PUBACK of STOP just before it, so
        // STOP can look guilty until it is sent alone).
        await using var broker = await MosquittoBroker.StartAsync();
        await broker.StopAsync();
        await File.AppendAllTextAsync(broker.ConfigFile, "max_packet_size 1000\n");
        await broker.RestartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/+/event/+");
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.Broker.Protocol = MqttProtocolVersion.V311));

        AppendStopBigResume(mirror.Journal);

        await AssertBigQuarantinedAndTheRestDeliveredAsync(mirror, probe, "quarantined journal row 2 (vm1 BIG): the broker dropped the connection 3 times while it was the only event in flight");
    }

    private static void AppendStopBigResume(InMemoryJournal journal)
    {
        journal.Append("vm1", "STOP", """{"event": "STOP"}""");
        journal.Append("vm1", "BIG", $$$"""{"event": "BIG", "data": {"blob": "{{{new string('x', 5000)}}}"}}""");
        journal.Append("vm1", "RESUME", """{"event": "RESUME"}""");
    }

    private static async Task AssertBigQuarantinedAndTheRestDeliveredAsync(MirrorHarness mirror, MqttProbe probe, string logged)
    {
        await mirror.WaitAsync(() => mirror.Journal.GetCursor("mqtt") == 3, "the cursor to pass the rejected event");
        await probe.NextOnAsync("appliance/box1/vm/vm1/event/RESUME");
        Assert.Equal(1, mirror.Mirror.Counters.Quarantined);
        // At least MaxRejections; dropped connections may also have counted against the event sent before it.
        Assert.InRange(mirror.Mirror.Counters.Rejected, 3, 20);
        Assert.Contains(mirror.Log.Collector.GetSnapshot(), l => l.Message.Contains(logged, StringComparison.Ordinal));
        Assert.Equal(["STOP", "RESUME"], EventsInArrivalOrder(probe));
    }

    /// <summary>Event names as the subscriber received them, duplicates (same seq) dropped as a consumer would.</summary>
    private static string[] EventsInArrivalOrder(MqttProbe probe) =>
        [.. probe.Received
            .Select(MqttProbe.Json)
            .DistinctBy(e => e.GetProperty("seq").GetInt64())
            .Select(e => e.GetProperty("event").GetString()!)];

    [Fact]
    public async Task An_event_larger_than_the_payload_limit_is_quarantined_without_sending()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.MaxPayloadBytes = 500));

        mirror.Journal.Append("vm1", "BIG", $$"""{"event": "BIG", "data": "{{new string('x', 600)}}"}""");
        mirror.Journal.Append("vm1", "STOP", """{"event": "STOP"}""");

        await mirror.WaitAsync(() => mirror.Journal.GetCursor("mqtt") == 2, "the cursor to pass the oversized event");
        Assert.Equal(1, mirror.Mirror.Counters.Quarantined);
        Assert.Equal(1, mirror.Mirror.Counters.Published);
    }

    [Fact]
    public async Task A_journal_row_that_is_not_a_json_object_is_quarantined()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));

        mirror.Journal.Append("vm1", "STOP", "not json");

        await mirror.WaitAsync(() => mirror.Journal.GetCursor("mqtt") == 1, "the cursor to pass the bad row");
        Assert.Contains(mirror.Log.Collector.GetSnapshot(), l => l.Message.Contains("is not a JSON object", StringComparison.Ordinal));
    }
}
