using Appliance.Bridge.Journal;
using Appliance.Bridge.Journal.Sqlite;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalDurabilityTests
{
    [Fact]
    public async Task A_critical_event_commits_with_the_events_before_it_and_is_synced_before_its_commit_is_reported()
    {
        await using var h = new JournalHarness(o => o.Synchronous = JournalSynchronous.Normal);
        await h.StartAsync();

        await h.PublishAsync([TestEvents.Named("STOP"), TestEvents.Critical()]);
        await h.WaitForSeqAsync(2);

        // One commit at Normal, and the fsync of the write-ahead log that makes it durable already done: waiters for a
        // critical commit are woken only after it.
        Assert.Equal((1L, 1L, 1L), (h.Writer.Counters.Batches, h.Writer.Counters.WalSyncs, h.Writer.Counters.FlushedBatches));
    }

    [Fact]
    public async Task One_sync_after_a_critical_commit_covers_the_ordinary_commits_before_it()
    {
        await using var h = new JournalHarness(o => { o.Synchronous = JournalSynchronous.Normal; o.BatchMaxDelay = TimeSpan.Zero; });
        await h.StartAsync();

        await h.PublishAsync([TestEvents.Named("STOP")]);
        await h.WaitForSeqAsync(1);
        await h.PublishAsync([TestEvents.Critical()]);
        await h.WaitForSeqAsync(2);

        Assert.Equal((2L, 1L, 2L), (h.Writer.Counters.Batches, h.Writer.Counters.WalSyncs, h.Writer.Counters.FlushedBatches));
    }

    [Fact]
    public async Task A_failed_sync_is_counted_and_retried_after_the_sync_delay_until_it_succeeds()
    {
        await using var h = new JournalHarness(o => o.Synchronous = JournalSynchronous.Normal);
        await h.StartAsync();
        // SQLite writes through the descriptor it holds; the sync, opening the file by name, finds nothing there.
        string wal = h.Options.Path + "-wal";
        File.Move(wal, wal + ".away");

        await h.PublishAsync([TestEvents.Critical()]);
        await h.WaitForSeqAsync(1);

        Assert.Equal((1L, 0L), (h.Writer.Counters.WalSyncFailures, h.Writer.Counters.FlushedBatches));
        File.Move(wal + ".away", wal);
        await JournalHarness.EventuallyAsync(() => h.Time.ArmedTimers > 0, "the wait for the next sync");
        h.Time.Advance(h.Options.SyncMaxDelay);
        await JournalHarness.EventuallyAsync(() => h.Writer.Counters.FlushedBatches == 1, "the retried sync");
    }

    [Fact]
    public async Task Ordinary_batches_are_not_flushed_at_commit_in_Normal_mode()
    {
        await using var h = new JournalHarness(o => { o.Synchronous = JournalSynchronous.Normal; o.BatchMaxDelay = TimeSpan.Zero; });
        await h.StartAsync();

        await h.PublishAsync(Enumerable.Range(0, 50).Select(i => TestEvents.Named("RESUME", n: i)));
        await h.WaitForSeqAsync(50);

        Assert.Equal(0, h.Writer.Counters.FlushedBatches);
    }

    [Fact]
    public void Normal_with_ordinary_commits_synced_within_a_second_is_the_default_durability()
    {
        var defaults = new JournalOptions();

        Assert.Equal((JournalSynchronous.Normal, TimeSpan.FromSeconds(1)), (defaults.Synchronous, defaults.SyncMaxDelay));
    }

    [Fact]
    public async Task Every_batch_is_flushed_at_commit_in_Full_mode()
    {
        await using var h = new JournalHarness(o => { o.Synchronous = JournalSynchronous.Full; o.BatchMaxEvents = 10; });
        await h.StartAsync();

        await h.PublishAsync(Enumerable.Range(0, 30).Select(i => TestEvents.Named("RESUME", n: i)));
        await h.WaitForSeqAsync(30);

        Assert.Equal(3, h.Writer.Counters.Batches);
        Assert.Equal(3, h.Writer.Counters.FlushedBatches);
    }

    [Fact]
    public async Task A_batch_ends_at_its_critical_event_and_the_events_behind_it_wait_for_their_window()
    {
        await using var h = new JournalHarness(o => { o.Synchronous = JournalSynchronous.Full; o.BatchMaxDelay = TimeSpan.FromSeconds(1); });
        // Everything is queued before the writer starts, so its first drain sees all 21 events.
        await h.PublishAsync([.. Enumerable.Range(0, 10).Select(i => TestEvents.Named("STOP", n: i)), TestEvents.Critical(),
            .. Enumerable.Range(10, 10).Select(i => TestEvents.Named("STOP", n: i))]);
        await h.StartAsync();

        await h.WaitForSeqAsync(11);
        // Virtual time never moves, so the last ten stay in the open window.
        await JournalHarness.EventuallyAsync(() => h.Time.ArmedTimers > 0, "the next batch window");

        Assert.Equal(11, h.Journal.LastCommittedSeq);
        Assert.Equal("WATCHDOG", h.Journal.ReadAfter(10, 10)[0].Event);
        // The ten before it and the critical event: one commit.
        Assert.Equal(1, h.Writer.Counters.Batches);
    }

    [Fact]
    public void A_new_journal_takes_the_configured_page_size()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(new JournalOptions { Path = dir.File("journal.db"), NewJournalPageSize = 4096 });

        Assert.Equal(4096, journal.PageSize);
        using var check = SqliteConnection.Open(dir.File("journal.db"), readOnly: true);
        Assert.Equal(4096, check.ExecuteScalar("PRAGMA page_size"));
    }

    [Fact]
    public void An_existing_journal_keeps_the_page_size_it_was_created_with()
    {
        using var dir = new TempDirectory();
        string path = dir.File("journal.db");
        EventJournal.Open(new JournalOptions { Path = path, NewJournalPageSize = 4096 }).Dispose();

        using var journal = EventJournal.Open(new JournalOptions { Path = path, NewJournalPageSize = 1024 });

        Assert.Equal(4096, journal.PageSize);
    }

    [Fact]
    public void A_page_size_that_is_not_a_power_of_two_is_rejected_naming_the_key()
    {
        var errors = new JournalOptions { NewJournalPageSize = 1000 }.Validate();

        Assert.Contains(errors, e => e.Contains("Journal:NewJournalPageSize", StringComparison.Ordinal) && e.Contains("1000", StringComparison.Ordinal));
    }
}
