using Appliance.Bridge.Journal;
using Appliance.Bridge.Journal.Sqlite;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalDurabilityTests
{
    private const long SynchronousNormal = 1;

    [Fact]
    public async Task A_critical_event_is_flushed_at_commit_even_when_the_mode_is_Normal()
    {
        await using var h = new JournalHarness(o => o.Synchronous = JournalSynchronous.Normal);
        await h.StartAsync();

        await h.PublishAsync([TestEvents.Named("STOP"), TestEvents.Critical()]);
        await h.WaitForSeqAsync(2);

        // The level cannot change inside a transaction: STOP commits as streamed, the critical event alone and flushed.
        Assert.Equal(2, h.Writer.Counters.Batches);
        Assert.Equal(1, h.Writer.Counters.FlushedBatches);
    }

    [Fact]
    public async Task A_critical_event_on_its_own_is_one_flushed_commit()
    {
        await using var h = new JournalHarness(o => o.Synchronous = JournalSynchronous.Normal);
        await h.StartAsync();

        await h.PublishAsync([TestEvents.Critical()]);
        await h.WaitForSeqAsync(1);

        // Nothing came before it: the empty transaction it would have closed is not a commit.
        Assert.Equal(1, h.Writer.Counters.Batches);
        Assert.Equal(1, h.Writer.Counters.FlushedBatches);
    }

    [Fact]
    public async Task A_critical_batch_is_not_flushed_when_flushing_critical_batches_is_off()
    {
        await using var h = new JournalHarness(o => { o.Synchronous = JournalSynchronous.Normal; o.FlushCriticalBatches = false; });
        await h.StartAsync();

        await h.PublishAsync([TestEvents.Critical()]);
        await h.WaitForSeqAsync(1);

        Assert.Equal(0, h.Writer.Counters.FlushedBatches);
    }

    [Fact]
    public async Task After_a_critical_batch_the_connection_is_back_to_the_configured_Normal_level()
    {
        await using var h = new JournalHarness(o => o.Synchronous = JournalSynchronous.Normal);
        await h.StartAsync();

        await h.PublishAsync([TestEvents.Critical()]);
        await h.WaitForSeqAsync(1);

        Assert.Equal(SynchronousNormal, h.Journal.Writer.ExecuteScalar("PRAGMA synchronous"));
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
    public void Normal_with_flushed_critical_batches_and_the_critical_log_is_the_default_durability()
    {
        var defaults = new JournalOptions();

        Assert.Equal((JournalSynchronous.Normal, true, 1L << 20), (defaults.Synchronous, defaults.FlushCriticalBatches, defaults.CriticalLogBytes));
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
        // The ten before it and the critical event: one commit (with Normal the flushed critical event commits alone).
        Assert.Equal(1, h.Writer.Counters.Batches);
    }

    [Fact]
    public void A_new_journal_takes_the_configured_page_size()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(new JournalOptions { Path = dir.File("journal.db"), NewJournalPageSize = 1024 });

        Assert.Equal(1024, journal.PageSize);
        using var check = SqliteConnection.Open(dir.File("journal.db"), readOnly: true);
        Assert.Equal(1024, check.ExecuteScalar("PRAGMA page_size"));
    }

    [Fact]
    public void An_existing_journal_keeps_the_page_size_it_was_created_with()
    {
        using var dir = new TempDirectory();
        string path = dir.File("journal.db");
        EventJournal.Open(new JournalOptions { Path = path, NewJournalPageSize = 1024 }).Dispose();

        using var journal = EventJournal.Open(new JournalOptions { Path = path, NewJournalPageSize = 4096 });

        Assert.Equal(1024, journal.PageSize);
    }

    [Fact]
    public void A_page_size_that_is_not_a_power_of_two_is_rejected_naming_the_key()
    {
        var errors = new JournalOptions { NewJournalPageSize = 1000 }.Validate();

        Assert.Contains(errors, e => e.Contains("Journal:NewJournalPageSize", StringComparison.Ordinal) && e.Contains("1000", StringComparison.Ordinal));
    }
}
