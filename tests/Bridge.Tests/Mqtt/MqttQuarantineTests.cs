using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class MqttQuarantineTests
{
    [Fact]
    public async Task An_event_the_broker_keeps_rejecting_is_quarantined_and_the_rest_still_flows()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { MessageSizeLimit = 1000 });
        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/+/event/+");
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));

        mirror.Journal.Append("vm1", "STOP", """{"event": "STOP"}""");
        mirror.Journal.Append("vm1", "BIG", $$$"""{"event": "BIG", "data": {"blob": "{{{new string('x', 5000)}}}"}}""");
        mirror.Journal.Append("vm1", "RESUME", """{"event": "RESUME"}""");

        await mirror.WaitAsync(() => mirror.Journal.GetCursor("mqtt") == 3, "the cursor to pass the rejected event");
        await probe.NextOnAsync("appliance/box1/vm/vm1/event/RESUME");
        Assert.Equal(1, mirror.Mirror.Counters.Quarantined);
        Assert.Equal(3, mirror.Mirror.Counters.Rejected);
        Assert.Contains(mirror.Log.Lines, l => l.Contains("quarantined journal row 2", StringComparison.Ordinal));
    }

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
        Assert.Contains(mirror.Log.Lines, l => l.Contains("is not a JSON object", StringComparison.Ordinal));
    }
}
