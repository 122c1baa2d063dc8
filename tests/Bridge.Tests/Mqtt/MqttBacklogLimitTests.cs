using System.Text.Json;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Mqtt.Client;
using Appliance.Bridge.Pipeline;
using Appliance.Bridge.Tests.Journal;
using Appliance.TestSupport.Mosquitto;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Bridge.Tests.Mqtt;

/// <summary>Mqtt:MaxBacklogEvents and Mqtt:MaxBacklogAge, with a real journal (SQLite) and a real broker.</summary>
public sealed class MqttBacklogLimitTests
{
    private const string VmEvents = "appliance/box1/vm/+/event/+";
    private const string NodeEvents = "appliance/box1/event/+";
    private const string GapTopic = "appliance/box1/event/APPLIANCE_GAP";

    [Fact]
    public async Task A_long_outage_past_the_event_bound_yields_one_gap_then_the_newest_events_in_order_and_the_journal_keeps_the_skipped()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, MqttProtocolVersion.V311, persistent: true, VmEvents, NodeEvents);
        await using var journal = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero);
        await journal.StartAsync();
        var options = MirrorHarness.OptionsFor(broker.Port, o => o.MaxBacklogEvents = 100);
        await using var running = await StartMirrorAsync(options, journal);
        var mirror = running.Mirror;
        await journal.PublishAsync(Events(0, 10));
        await Until(() => journal.Journal.GetCursor("mqtt") == 10, "the first 10 events delivered");

        await broker.StopAsync();
        await Until(() => !mirror.IsConnected, "the mirror to notice the outage");
        await journal.PublishAsync(Events(10, 1000));
        await journal.WaitForSeqAsync(1010);
        await broker.RestartAsync();

        await Until(() => journal.Journal.GetCursor("mqtt") == 1010, "the cursor past the whole backlog");
        await probe.WaitUntilAsync(r => r.Any(m => Seq(m) == 1010), "the newest event");
        var gaps = probe.Received.Where(m => m.Topic == GapTopic).ToList();
        var gap = Assert.Single(gaps);
        var data = MqttProbe.Json(gap).GetProperty("data");
        Assert.Equal("backlog-limit", data.GetProperty("reason").GetString());
        Assert.Equal((11L, 910L, 900L), (data.GetProperty("first-seq").GetInt64(), data.GetProperty("last-seq").GetInt64(), data.GetProperty("skipped").GetInt64()));
        var afterOutage = probe.Received.SkipWhile(m => m != gap).Skip(1).Select(Seq).OfType<long>().Distinct().ToList();
        Assert.Equal(Enumerable.Range(911, 100).Select(i => (long)i), afterOutage);
        Assert.DoesNotContain(probe.Received, m => Seq(m) is >= 11 and <= 910);
        Assert.Equal(900, mirror.Counters.SkippedForBacklog);
        var kept = journal.Journal.ReadAfter(10, 2000);
        Assert.Equal(Enumerable.Range(11, 1000).Select(i => (long)i), kept.Select(e => e.Seq));
    }

    [Fact]
    public async Task Undelivered_events_older_than_the_age_bound_are_skipped_with_one_gap()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, VmEvents, NodeEvents);
        await using var journal = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero);
        await journal.StartAsync();
        var now = DateTimeOffset.UtcNow;
        await journal.PublishAsync(Events(0, 30, now - TimeSpan.FromHours(3)));
        await journal.PublishAsync(Events(30, 20, now - TimeSpan.FromMinutes(5)));
        await journal.WaitForSeqAsync(50);
        var options = MirrorHarness.OptionsFor(broker.Port, o => (o.MaxBacklogAge, o.MaxBacklogEvents) = (TimeSpan.FromHours(1), 0));

        await using var running = await StartMirrorAsync(options, journal);
        var mirror = running.Mirror;

        await probe.WaitUntilAsync(r => r.Any(m => Seq(m) == 50), "the newest event");
        var data = MqttProbe.Json(Assert.Single(probe.Received, m => m.Topic == GapTopic)).GetProperty("data");
        Assert.Equal((1L, 30L, 30L), (data.GetProperty("first-seq").GetInt64(), data.GetProperty("last-seq").GetInt64(), data.GetProperty("skipped").GetInt64()));
        Assert.Equal(Enumerable.Range(31, 20).Select(i => (long)i), probe.Received.Select(Seq).OfType<long>().Distinct());
    }

    [Fact]
    public async Task Within_both_bounds_nothing_is_skipped_and_no_gap_is_sent()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var probe = await MqttProbe.StartAsync(broker.Port, VmEvents, NodeEvents);
        await using var journal = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero);
        await journal.StartAsync();
        await journal.PublishAsync(Events(0, 100, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(30)));
        await journal.WaitForSeqAsync(100);
        var options = MirrorHarness.OptionsFor(broker.Port, o => (o.MaxBacklogAge, o.MaxBacklogEvents) = (TimeSpan.FromHours(1), 100));

        await using var running = await StartMirrorAsync(options, journal);
        var mirror = running.Mirror;

        await probe.WaitUntilAsync(r => r.Select(Seq).OfType<long>().Distinct().Count() == 100, "all 100 events");
        Assert.DoesNotContain(probe.Received, m => m.Topic == GapTopic);
        Assert.Equal(0, mirror.Counters.SkippedForBacklog);
    }

    [Fact]
    public async Task Backlog_depth_and_age_follow_the_oldest_undelivered_event()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var journal = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero);
        await journal.StartAsync();
        await journal.PublishAsync(Events(0, 5, DateTimeOffset.UtcNow - TimeSpan.FromHours(2)));
        await journal.WaitForSeqAsync(5);
        var options = MirrorHarness.OptionsFor(broker.Port);
        await broker.StopAsync();
        await using var running = await StartMirrorAsync(options, journal, waitForConnect: false);
        var mirror = running.Mirror;

        Assert.Equal(5, mirror.BacklogDepth);
        Assert.InRange(mirror.BacklogAge, TimeSpan.FromHours(2), TimeSpan.FromHours(2.5));
        await broker.RestartAsync();
        await Until(() => mirror.BacklogDepth == 0, "the backlog delivered");
        Assert.Equal(TimeSpan.Zero, mirror.BacklogAge);
    }

    [Theory]
    [InlineData("00:00:00.5", 10, "MaxBacklogAge")]
    [InlineData("-00:00:01", 10, "MaxBacklogAge")]
    [InlineData("7.00:00:00", -1, "MaxBacklogEvents")]
    public void Bad_backlog_bounds_are_named(string age, long events, string named)
    {
        var options = MirrorHarness.OptionsFor(1883, o => (o.MaxBacklogAge, o.MaxBacklogEvents) = (TimeSpan.Parse(age, System.Globalization.CultureInfo.InvariantCulture), events));

        Assert.Contains(options.Problems(), p => p.StartsWith(named, StringComparison.Ordinal));
    }

    [Fact]
    public void Zero_turns_either_bound_off()
    {
        var options = MirrorHarness.OptionsFor(1883, o => (o.MaxBacklogAge, o.MaxBacklogEvents) = (TimeSpan.Zero, 0));

        Assert.Empty(options.Problems());
    }

    private static IEnumerable<VmEvent> Events(int from, int count, DateTimeOffset? received = null) =>
        Enumerable.Range(from, count).Select(i => TestEvents.Named("RESUME", "vm1", received ?? DateTimeOffset.UtcNow, n: i));

    private static long? Seq(MqttIncomingMessage m) =>
        m.Topic.Contains("/vm/", StringComparison.Ordinal) && MqttProbe.Json(m).TryGetProperty("seq", out var seq) ? seq.GetInt64() : null;

    private static async Task<RunningMirror> StartMirrorAsync(MqttMirrorOptions options, JournalHarness journal, bool waitForConnect = true)
    {
        var mirror = new MqttMirror(options, journal.Journal, new VmStatusBoard(), new FakeGateway("vm1"), new FakeLogger<MqttMirror>());
        await mirror.StartAsync(CancellationToken.None);
        if (waitForConnect) await MirrorHarness.WaitForBirthAsync(options);
        return new RunningMirror(mirror);
    }

    /// <summary>A mirror over the real journal, stopped before the journal closes.</summary>
    private sealed class RunningMirror(MqttMirror mirror) : IAsyncDisposable
    {
        public MqttMirror Mirror => mirror;

        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(MqttProbe.Patience);
            await mirror.StopAsync(timeout.Token);
            mirror.Dispose();
        }
    }

    private static Task Until(Func<bool> condition, string what) => JournalHarness.EventuallyAsync(condition, what);
}
