using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalWriterTests
{
    [Fact]
    public async Task Appended_rows_keep_publish_order_exactly_once()
    {
        await using var h = new JournalHarness(o => { o.BatchMaxEvents = 64; o.BatchMaxDelay = TimeSpan.Zero; });
        await h.StartAsync();
        await h.PublishAsync(Enumerable.Range(0, 1000).Select(i => TestEvents.Named("RESUME", $"vm{i % 3}", n: i)));

        await h.WaitForSeqAsync(1000);

        var rows = h.Journal.ReadAfter(0, 5000);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), rows.Select(r => r.Seq));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $$"""{"n": {{i}}}"""),
            rows.Select(r => Encoding.UTF8.GetString(((QmpEvent)QmpMessageParser.Parse(r.RawJson)).Data.Span)));
        Assert.Equal(1000, h.Writer.Counters.Rows);
    }

    [Fact]
    public async Task A_critical_file_the_open_could_not_put_back_is_left_untouched_and_named_in_a_warning()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db") };
        byte[] oldLog = [.. Enumerable.Range(0, 1024).Select(i => (byte)i)];
        File.WriteAllBytes(options.Path + "-critical", oldLog);
        var logger = new FakeLogger<JournalWriter>();
        var hub = new EventHub();
        using (var journal = EventJournal.Open(options))
        using (var writer = new JournalWriter(journal, hub.Subscribe("journal", EventDelivery.Lossless, 64), options, logger))
        {
            await writer.StartAsync(CancellationToken.None);
            await hub.PublishAsync(TestEvents.Critical());
            await journal.WaitForCommitAsync(0, CancellationToken.None).AsTask().WaitAsync(JournalHarness.Patience);
            hub.Complete();
            await writer.StopAsync(CancellationToken.None);
        }

        Assert.Equal(oldLog, File.ReadAllBytes(options.Path + "-critical"));
        var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains($"'{options.Path}-critical'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("left untouched", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Raw_json_is_stored_byte_for_byte()
    {
        const string line = "{ \"event\":\"BLOCK_IO_ERROR\" ,\n\t\"data\": {\"device\": \"d\\u00e9v\", \"x\": 1.50e+3, \"nos\": \"\u00e9\u65e5\"},  \"timestamp\": {\"seconds\": 5, \"microseconds\": 7} }";
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero);
        await h.StartAsync();
        await h.PublishAsync([TestEvents.Line(line)]);

        await h.WaitForSeqAsync(1);

        var row = Assert.Single(h.Journal.ReadAfter(0, 10));
        Assert.Equal(Encoding.UTF8.GetBytes(line), row.RawJson);
        Assert.Equal("BLOCK_IO_ERROR", row.Event);
        Assert.Equal(new Qmp.Messages.QmpTimestamp(5, 7), row.Timestamp);
        Assert.Equal(TestEvents.Start, row.Received);
    }

    [Fact]
    public async Task Critical_event_is_committed_before_the_batch_window_ends()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.FromSeconds(1));
        await h.StartAsync();

        await h.PublishAsync([TestEvents.Named("STOP"), TestEvents.Critical()]);

        // Virtual time never moves: only the critical event can have ended the window.
        await h.WaitForSeqAsync(2);
        var rows = h.Journal.ReadAfter(0, 10);
        Assert.Equal(["STOP", "WATCHDOG"], rows.Select(r => r.Event));
        Assert.Equal(VmEventFlags.Critical, rows[1].Flags);
    }

    [Fact]
    public async Task By_default_an_event_that_arrives_alone_commits_without_waiting_for_companions()
    {
        var defaults = new JournalOptions();
        await using var h = new JournalHarness(o => o.BatchMaxDelay = defaults.BatchMaxDelay);
        await h.StartAsync();

        await h.PublishAsync([TestEvents.Named("STOP")]);

        // Virtual time never moves: a batch window would hold the row back for ever.
        await h.WaitForSeqAsync(1);
        Assert.Equal(TimeSpan.Zero, defaults.BatchMaxDelay);
        Assert.Equal(1, h.Writer.Counters.Batches);
    }

    [Fact]
    public async Task Ordinary_events_wait_for_the_batch_window_and_commit_together()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.FromMilliseconds(5));
        await h.PublishAsync([TestEvents.Named("STOP"), TestEvents.Named("RESUME"), TestEvents.Named("STOP")]);
        await h.StartAsync();

        await JournalHarness.EventuallyAsync(() => h.Time.ArmedTimers > 0, "the batch window timer");
        Assert.Equal(0, h.Journal.LastCommittedSeq);

        h.Time.Advance(TimeSpan.FromMilliseconds(5));
        await h.WaitForSeqAsync(3);
        Assert.Equal(1, h.Writer.Counters.Batches);
        Assert.Equal(3, h.Writer.Counters.Rows);
    }

    [Fact]
    public async Task A_full_batch_commits_without_waiting_for_the_window()
    {
        await using var h = new JournalHarness(o => { o.BatchMaxEvents = 10; o.BatchMaxDelay = TimeSpan.FromSeconds(1); });
        await h.PublishAsync(TestEvents.Series("STOP", 25));
        await h.StartAsync();

        await h.WaitForSeqAsync(20);
        await JournalHarness.EventuallyAsync(() => h.Time.ArmedTimers > 0, "the window of the third batch");
        Assert.Equal(20, h.Journal.LastCommittedSeq);
        Assert.Equal(2, h.Writer.Counters.Batches);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.WaitForSeqAsync(25);
    }

    [Fact]
    public async Task A_queued_critical_event_takes_every_event_before_it_into_one_commit_beyond_the_batch_limit()
    {
        await using var h = new JournalHarness(o => { o.BatchMaxEvents = 10; o.BatchMaxDelay = TimeSpan.FromSeconds(1); });
        await h.PublishAsync([.. TestEvents.Series("STOP", 25), TestEvents.Critical()]);
        await h.StartAsync();

        // Virtual time never moves: only the critical event can have ended the batch, and it did not stop at 10.
        await h.WaitForSeqAsync(26);
        // One commit, not the 25 in batches of 10 and then the critical event.
        Assert.Equal(1, h.Writer.Counters.Batches);
        Assert.Equal("WATCHDOG", h.Journal.ReadAfter(25, 1)[0].Event);
        Assert.Equal(0, h.Subscription.CriticalQueued);
    }

    [Fact]
    public async Task Without_a_queued_critical_event_batches_keep_to_the_batch_limit()
    {
        await using var h = new JournalHarness(o => { o.BatchMaxEvents = 10; o.BatchMaxDelay = TimeSpan.FromSeconds(1); });
        await h.PublishAsync([.. TestEvents.Series("STOP", 25)]);
        await h.StartAsync();

        await h.WaitForSeqAsync(20);
        Assert.Equal(2, h.Writer.Counters.Batches);
    }

    [Fact]
    public async Task Queued_events_are_committed_when_the_hub_completes()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.FromSeconds(1));
        await h.PublishAsync(TestEvents.Series("STOP", 5));
        h.Hub.Complete();
        await h.StartAsync();

        await h.WaitForSeqAsync(5);
        Assert.Equal(5, h.Journal.ReadAfter(0, 10).Count);
    }

    [Fact]
    public async Task Full_database_keeps_the_batch_and_commits_it_once_space_returns()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero);
        long pages = h.Journal.Writer.ExecuteScalar("PRAGMA page_count");
        h.Journal.Writer.ExecuteScalar($"PRAGMA max_page_count = {pages}");
        await h.PublishAsync(TestEvents.Series("STOP", 200));
        await h.StartAsync();

        await JournalHarness.EventuallyAsync(() => h.Writer.Counters.Errors > 0 && h.Time.ArmedTimers > 0, "a failed commit awaiting its retry");
        Assert.Equal(0, h.Journal.LastCommittedSeq);
        Assert.Equal(200, h.Writer.Counters.PendingRows);

        h.Journal.Writer.ExecuteScalar("PRAGMA max_page_count = 1000000");
        h.Time.Advance(TimeSpan.FromSeconds(10));

        await h.WaitForSeqAsync(200);
        var rows = h.Journal.ReadAfter(0, 1000);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), rows.Select(r => r.Seq));
        Assert.Equal(0, h.Writer.Counters.PendingRows);
    }
}
