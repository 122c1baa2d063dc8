using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Mqtt.Client;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class MqttMirrorDeliveryTests
{
    private const string Events = "appliance/box1/vm/+/event/+";

    [Fact]
    public async Task Event_payload_is_the_raw_qmp_line_with_node_vm_seq_identity_and_times_added()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, Events);
        var journal = new InMemoryJournal();
        journal.Append("vm1", "STOP", """{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP", "x-unknown": [1, 2.50]}""");
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port), journal);

        var message = await probe.NextOnAsync("appliance/box1/vm/vm1/event/STOP");

        Assert.Equal(
            """{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP", "x-unknown": [1, 2.50],"node":"box1","vm":"vm1","seq":1,"event_id":"box1/vm1/1","time":"1970-01-01T00:00:01+00:00","received":"1970-01-01T00:00:01+00:00","replayed":true}""",
            MqttProbe.Text(message));
    }

    [Fact]
    public async Task Event_messages_carry_the_configured_mqtt5_message_expiry()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, Events);
        var journal = new InMemoryJournal();
        journal.Append("vm1", "STOP", """{"event": "STOP"}""");
        var options = MirrorHarness.OptionsFor(broker.Port, o => o.EventMessageExpiry = TimeSpan.FromHours(1));
        await using var mirror = await MirrorHarness.StartAsync(options, journal);

        var message = await probe.NextOnAsync("appliance/box1/vm/vm1/event/STOP");

        Assert.InRange(message.MessageExpiry ?? 0, 3000u, 3600u);
    }

    [Fact]
    public async Task Gap_markers_are_published_as_APPLIANCE_GAP_events()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, Events);
        var journal = new InMemoryJournal();
        journal.Append("vm2", "APPLIANCE_GAP", """{"event": "APPLIANCE_GAP", "data": {"reason": "connected"}}""", Pipeline.VmEventFlags.Gap);
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port), journal);

        var message = await probe.NextOnAsync("appliance/box1/vm/vm2/event/APPLIANCE_GAP");

        Assert.Equal("connected", MqttProbe.Json(message).GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Events_committed_while_running_arrive_in_journal_order_per_vm()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, Events);
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));

        mirror.Journal.AppendMany(500, "vm1", "vm2");
        await probe.WaitUntilAsync(r => r.Count >= 500, "500 events");

        foreach (var vm in new[] { "vm1", "vm2" })
        {
            var seqs = probe.Received.Select(MqttProbe.Json).Where(j => j.GetProperty("vm").GetString() == vm)
                .Select(j => j.GetProperty("seq").GetInt64()).ToList();
            Assert.Equal(250, seqs.Count);
            Assert.Equal(seqs.Order(), seqs);
        }
    }

    [Fact]
    public async Task Cursor_reaches_the_last_seq_once_every_event_is_acknowledged()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));

        mirror.Journal.AppendMany(300, "vm1");

        await mirror.WaitAsync(() => mirror.Journal.GetCursor("mqtt") == 300, "the cursor to reach 300");
        Assert.Equal(300, mirror.Mirror.Counters.Acknowledged);
    }

    [Fact]
    public async Task Cursor_does_not_advance_while_the_broker_is_down()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        mirror.Journal.AppendMany(10, "vm1");
        await mirror.WaitAsync(() => mirror.Journal.GetCursor("mqtt") == 10, "the first 10 events");

        await broker.StopAsync();
        await mirror.WaitAsync(() => !mirror.Mirror.IsConnected, "the mirror to notice the outage");
        mirror.Journal.AppendMany(50, "vm1");
        await mirror.WaitAsync(() => mirror.Log.Collector.GetSnapshot().Any(l => l.Message.Contains("not reachable yet", StringComparison.Ordinal)), "a failed reconnect attempt");

        Assert.Equal(10, mirror.Journal.GetCursor("mqtt"));
        Assert.Equal(10, mirror.Mirror.Counters.Acknowledged);
        await broker.RestartAsync();
        await mirror.WaitAsync(() => mirror.Journal.GetCursor("mqtt") == 60, "the backlog once the broker is back");
    }

    [Fact]
    public async Task Broker_restarted_mid_flood_loses_no_event_and_keeps_order_per_vm()
    {
        const int total = 3000;
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, MqttProtocolVersion.V311, persistent: true, Events);
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));

        mirror.Journal.AppendMany(total / 2, "vm1", "vm2", "vm3");
        await probe.WaitUntilAsync(r => r.Count >= 200, "the flood to start");
        await broker.StopAsync();
        mirror.Journal.AppendMany(total / 2, "vm1", "vm2", "vm3");
        await broker.RestartAsync();

        await mirror.WaitAsync(() => mirror.Journal.GetCursor("mqtt") == total, $"the cursor to reach {total}");
        await probe.WaitUntilAsync(r => DistinctSeqs(r).Count == total, $"all {total} events at the subscriber");
        AssertInOrderPerVm(probe.Received);
    }

    [Fact]
    public async Task A_new_mirror_over_the_same_cursor_resumes_without_loss()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, Events);
        var journal = new InMemoryJournal();
        var options = MirrorHarness.OptionsFor(broker.Port);
        var first = await MirrorHarness.StartAsync(options, journal);
        journal.AppendMany(1000, "vm1", "vm2");
        await first.WaitAsync(() => journal.GetCursor("mqtt") >= 100, "the first mirror to deliver some");
        await first.DisposeAsync();
        long handedOver = journal.GetCursor("mqtt");
        journal.AppendMany(500, "vm1", "vm2");

        await using var second = await MirrorHarness.StartAsync(options, journal);

        await second.WaitAsync(() => journal.GetCursor("mqtt") == 1500, "the second mirror to catch up");
        await probe.WaitUntilAsync(r => DistinctSeqs(r).Count == 1500, "all 1500 events at the subscriber");
        Assert.True(handedOver < 1500, "the restart happened mid-stream");
        AssertInOrderPerVm(probe.Received);
    }

    [Fact]
    public async Task Events_removed_by_retention_before_delivery_are_counted_and_published()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/mirror");
        var journal = new InMemoryJournal();
        journal.AppendMany(100, "vm1");
        journal.Prune(40);
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port), journal);

        await mirror.WaitAsync(() => journal.GetCursor("mqtt") == 100, "the rest to be delivered");
        await probe.WaitUntilAsync(r => r.Any(m => MqttProbe.Json(m).GetProperty("cursor").GetInt64() == 100), "mirror counters at cursor 100");

        var counters = MqttProbe.Json(probe.Received.Last());
        Assert.Equal(40, counters.GetProperty("lost-to-retention").GetInt64());
        Assert.Equal(40, counters.GetProperty("journal-pruned").GetInt64());
    }

    internal static HashSet<long> DistinctSeqs(IEnumerable<MqttIncomingMessage> messages) =>
        [.. messages.Where(m => m.Topic.Contains("/event/", StringComparison.Ordinal)).Select(m => MqttProbe.Json(m).GetProperty("seq").GetInt64())];

    /// <summary>Duplicates may occur (at least once); dropping seqs already seen, each VM's seqs must rise.</summary>
    private static void AssertInOrderPerVm(IEnumerable<MqttIncomingMessage> messages)
    {
        var firstSeen = new Dictionary<string, List<long>>();
        var seen = new HashSet<long>();
        foreach (var json in messages.Select(MqttProbe.Json))
        {
            long seq = json.GetProperty("seq").GetInt64();
            if (!seen.Add(seq)) continue;
            string vm = json.GetProperty("vm").GetString()!;
            if (!firstSeen.TryGetValue(vm, out var list)) firstSeen[vm] = list = [];
            list.Add(seq);
        }
        foreach (var (vm, seqs) in firstSeen) Assert.True(seqs.SequenceEqual(seqs.Order()), $"{vm} out of order");
    }
}
