using Appliance.Bridge.Journal;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Time;

namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalRetentionTests
{
    [Fact]
    public void Rows_older_than_the_maximum_age_are_pruned_oldest_first_and_counted()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db"), RetentionMaxAge = TimeSpan.FromHours(1), RetentionMaxBytes = 0 };
        using var journal = EventJournal.Open(options);
        journal.Append([.. Enumerable.Range(0, 10).Select(i => TestEvents.Named("STOP", received: TestEvents.Start.AddMinutes(10 * i), n: i))]);
        var time = new ManualTimeProvider(TestEvents.Start.AddMinutes(125));

        long pruned = new JournalRetention(journal, options, time).RunOnce();

        // Cutoff 01:05: rows received at 00:00 .. 01:00 (seq 1..7) are older.
        Assert.Equal(7, pruned);
        Assert.Equal([8L, 9, 10], journal.ReadAfter(0, 100).Select(r => r.Seq));
        Assert.Equal(7, journal.PrunedCount);
    }

    [Fact]
    public void Oldest_rows_are_pruned_until_the_used_size_fits_the_maximum()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db"), RetentionMaxAge = TimeSpan.Zero, RetentionMaxBytes = 256 * 1024 };
        using var journal = EventJournal.Open(options);
        var padding = new string('x', 400);
        for (int b = 0; b < 20; b++)
        {
            journal.Append([.. Enumerable.Range(0, 500).Select(i => TestEvents.Line(
                $$$"""{"event": "STOP", "data": {"pad": "{{{padding}}}", "n": {{{b * 500 + i}}}}, "timestamp": {"seconds": 1, "microseconds": 0}}"""))]);
        }
        Assert.True(journal.UsedBytes > options.RetentionMaxBytes);

        long pruned = new JournalRetention(journal, options).RunOnce();

        Assert.True(journal.UsedBytes <= options.RetentionMaxBytes, $"used {journal.UsedBytes} bytes after pruning");
        var remaining = journal.ReadAfter(0, 20_000);
        Assert.Equal(10_000 - pruned, remaining.Count);
        Assert.Equal(pruned + 1, remaining[0].Seq);
        Assert.Equal(10_000, remaining[^1].Seq);
    }

    [Fact]
    public void The_pruned_count_survives_reopen()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db"), RetentionMaxAge = TimeSpan.FromMinutes(1), RetentionMaxBytes = 0 };
        var later = new ManualTimeProvider(TestEvents.Start.AddHours(1));
        using (var journal = EventJournal.Open(options))
        {
            journal.Append([TestEvents.Named("STOP"), TestEvents.Named("RESUME")]);
            new JournalRetention(journal, options, later).RunOnce();
        }
        using (var journal = EventJournal.Open(options))
        {
            journal.Append([TestEvents.Named("STOP")]);
            new JournalRetention(journal, options, later).RunOnce();
        }

        using var reopened = EventJournal.OpenReadOnly(options.Path);
        Assert.Equal(3, reopened.PrunedCount);
    }

    [Fact]
    public void A_large_backlog_is_pruned_in_chunks_of_bounded_size()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db"), RetentionMaxAge = TimeSpan.FromMinutes(1), RetentionMaxBytes = 0 };
        using var journal = EventJournal.Open(options);
        int backlog = JournalRetention.ChunkRows * 2 + 10;
        journal.Append([.. Enumerable.Range(0, backlog).Select(i => TestEvents.Named("STOP", n: i))]);
        var retention = new JournalRetention(journal, options, new ManualTimeProvider(TestEvents.Start.AddHours(1)));

        long[] chunks = [retention.PruneChunk(), retention.PruneChunk(), retention.PruneChunk(), retention.PruneChunk()];

        Assert.Equal([JournalRetention.ChunkRows, JournalRetention.ChunkRows, 10L, 0L], chunks);
        Assert.Empty(journal.ReadAfter(0, 10));
    }

    [Fact]
    public async Task The_writer_prunes_on_the_retention_interval()
    {
        await using var h = new JournalHarness(o => { o.BatchMaxDelay = TimeSpan.Zero; o.RetentionMaxAge = TimeSpan.FromMinutes(30); o.RetentionInterval = TimeSpan.FromMinutes(1); });
        await h.PublishAsync([TestEvents.Named("STOP", received: TestEvents.Start)]);
        await h.StartAsync();
        await h.WaitForSeqAsync(1);
        await JournalHarness.EventuallyAsync(() => h.Writer.Counters.RetentionPasses == 1 && h.Time.ArmedTimers > 0, "the first retention pass");
        Assert.Equal(0, h.Journal.PrunedCount);

        for (int minute = 0; minute < 31; minute++)
        {
            long passes = h.Writer.Counters.RetentionPasses;
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await JournalHarness.EventuallyAsync(() => h.Writer.Counters.RetentionPasses > passes, "a retention pass");
        }

        Assert.Equal(1, h.Journal.PrunedCount);
    }
}
