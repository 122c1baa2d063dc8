using Appliance.Bridge.Journal;
using Appliance.Bridge.Sqlite;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalDurabilityTests
{
    [Fact]
    public async Task A_critical_event_commits_in_one_transaction_with_the_events_queued_before_it()
    {
        await using var h = new JournalHarness();
        await h.PublishAsync([TestEvents.Named("STOP"), TestEvents.Critical()]);
        await h.StartAsync();

        await h.WaitForSeqAsync(2);

        Assert.Equal(1L, h.Writer.Counters.Batches);
    }

    [Fact]
    public async Task Every_batch_is_its_own_commit_up_to_the_batch_limit()
    {
        await using var h = new JournalHarness(o => o.BatchMaxEvents = 10);
        await h.PublishAsync(TestEvents.Series("RESUME", 30));
        await h.StartAsync();

        await h.WaitForSeqAsync(30);

        Assert.Equal(3, h.Writer.Counters.Batches);
    }

    [Fact]
    public async Task A_batch_ends_at_its_critical_event_and_the_events_behind_it_wait_for_their_window()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.FromSeconds(1));
        // Everything is queued before the writer starts, so its first drain sees all 21 events.
        await h.PublishAsync([.. TestEvents.Series("STOP", 10), TestEvents.Critical(),
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
