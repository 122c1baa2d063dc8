using Appliance.Bridge.Journal;
using Appliance.Bridge.Sqlite;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Bridge.Tests.Journal;

public sealed class EventJournalTests
{
    private static readonly JournalOptions Defaults = new();

    private static JournalOptions At(TempDirectory dir) => new() { Path = dir.File("journal.db") };

    private static void Append(EventJournal journal, params Appliance.Bridge.Pipeline.VmEvent[] events) => journal.Append(events);

    [Fact]
    public void Sequence_numbers_continue_after_reopen()
    {
        using var dir = new TempDirectory();
        using (var journal = EventJournal.Open(At(dir))) Append(journal, TestEvents.Named("STOP"), TestEvents.Named("RESUME"));

        using var reopened = EventJournal.Open(At(dir));
        Assert.Equal(2, reopened.LastCommittedSeq);
        Append(reopened, TestEvents.Named("STOP"));
        Assert.Equal([1L, 2, 3], reopened.ReadAfter(0, 10).Select(r => r.Seq));
    }

    [Fact]
    public void Sequence_numbers_continue_after_retention_pruned_every_row()
    {
        using var dir = new TempDirectory();
        var options = At(dir);
        options.RetentionMaxAge = TimeSpan.FromHours(1);
        using (var journal = EventJournal.Open(options))
        {
            Append(journal, TestEvents.Named("STOP"), TestEvents.Named("RESUME"));
            var later = new FakeTimeProvider(TestEvents.Start.AddDays(1));
            Assert.Equal(2, new JournalRetention(journal, options, later).RunOnce());
        }

        using var reopened = EventJournal.Open(options);
        Append(reopened, TestEvents.Named("STOP"));
        Assert.Equal(3, Assert.Single(reopened.ReadAfter(0, 10)).Seq);
    }

    [Fact]
    public void Cursors_survive_reopen()
    {
        using var dir = new TempDirectory();
        using (var journal = EventJournal.Open(At(dir)))
        {
            journal.SetCursor("mqtt", 41);
            journal.SetCursor("other", 7);
        }

        using var reopened = EventJournal.Open(At(dir));
        Assert.Equal(41, reopened.GetCursor("mqtt"));
        Assert.Equal(7, reopened.GetCursor("other"));
        Assert.Equal(0, reopened.GetCursor("never-set"));
    }

    [Fact]
    public void A_cursor_never_moves_backwards()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(At(dir));
        journal.SetCursor("mqtt", 10);
        journal.SetCursor("mqtt", 4);
        Assert.Equal(10, journal.GetCursor("mqtt"));
    }

    [Fact]
    public void ReadAfter_returns_at_most_max_rows_after_the_given_seq_in_order()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(At(dir));
        Append(journal, [.. TestEvents.Series("STOP", 10)]);

        Assert.Equal([4L, 5, 6], journal.ReadAfter(3, 3).Select(r => r.Seq));
        Assert.Empty(journal.ReadAfter(10, 3));
    }

    [Fact]
    public void Query_returns_the_newest_matching_rows_oldest_first()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(At(dir));
        Append(journal, [.. Enumerable.Range(0, 20).Select(i =>
            TestEvents.Named(i % 2 == 0 ? "WATCHDOG" : "STOP", i % 4 < 2 ? "a" : "b", TestEvents.Start.AddMinutes(i), i))]);

        var rows = journal.Query(new JournalQuery(Vm: "a", Events: ["WATCHDOG"], Limit: 3));

        // WATCHDOG on a: i = 0, 4, 8, 12, 16 (seq = i + 1); the newest three.
        Assert.Equal([9L, 13, 17], rows.Select(r => r.Seq));
    }

    [Fact]
    public void Query_filters_by_received_time_and_after_seq()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(At(dir));
        Append(journal, [.. Enumerable.Range(0, 10).Select(i => TestEvents.Named("STOP", received: TestEvents.Start.AddMinutes(i), n: i))]);

        var rows = journal.Query(new JournalQuery(Since: TestEvents.Start.AddMinutes(2), Until: TestEvents.Start.AddMinutes(6), AfterSeq: 3));

        Assert.Equal([4L, 5, 6], rows.Select(r => r.Seq));
    }

    [Fact]
    public void Query_with_several_event_names_matches_any_of_them()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(At(dir));
        Append(journal, TestEvents.Named("STOP"), TestEvents.Named("RESUME"), TestEvents.Named("RESET"));

        Assert.Equal(["STOP", "RESET"], journal.Query(new JournalQuery(Events: ["RESET", "STOP"])).Select(r => r.Event));
    }

    [Fact]
    public void Query_by_vm_alone_or_with_several_events_returns_the_newest_matches_across_them()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(At(dir));
        string[] names = ["STOP", "RESUME", "RESET"];
        Append(journal, [.. Enumerable.Range(0, 30).Select(i => TestEvents.Named(names[i % 3], i % 2 == 0 ? "a" : "b", n: i))]);

        // seq = i + 1; VM a: even i. STOP: i % 3 == 0, RESET: i % 3 == 2.
        Assert.Equal([25L, 27, 29], journal.Query(new JournalQuery(Vm: "a", Limit: 3)).Select(r => r.Seq));
        Assert.Equal([19L, 21, 25, 27], journal.Query(new JournalQuery(Vm: "a", Events: ["STOP", "RESET"], Limit: 4)).Select(r => r.Seq));
    }

    [Fact]
    public void Query_with_until_before_since_is_rejected_naming_both()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(At(dir));
        var e = Assert.Throws<ArgumentException>(() => journal.Query(new JournalQuery(Since: TestEvents.Start, Until: TestEvents.Start.AddHours(-1))));
        Assert.Contains("Until", e.Message, StringComparison.Ordinal);
        Assert.Contains("Since", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForCommitAsync_completes_at_once_when_a_newer_row_exists_and_later_on_commit()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(At(dir));
        Append(journal, TestEvents.Named("STOP"));
        using var timeout = new CancellationTokenSource(JournalHarness.Patience);

        await journal.WaitForCommitAsync(0, timeout.Token);
        var waiting = journal.WaitForCommitAsync(1, timeout.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        Append(journal, TestEvents.Named("RESUME"));
        await waiting;
    }

    [Fact]
    public void A_read_only_journal_sees_rows_another_connection_commits_and_refuses_cursor_moves()
    {
        using var dir = new TempDirectory();
        using var writer = EventJournal.Open(At(dir));
        using var reader = EventJournal.OpenReadOnly(At(dir).Path);
        Append(writer, TestEvents.Named("STOP"));

        Assert.Equal(1, reader.LastCommittedSeq);
        Assert.Equal("STOP", Assert.Single(reader.ReadAfter(0, 10)).Event);
        Assert.Throws<InvalidOperationException>(() => reader.SetCursor("cli", 1));
    }

    [Fact]
    public void Opening_a_journal_of_a_newer_schema_fails_naming_the_versions()
    {
        using var dir = new TempDirectory();
        using (var connection = SqliteConnection.Open(At(dir).Path)) connection.Execute("PRAGMA user_version = 99");

        var e = Assert.Throws<InvalidOperationException>(() => EventJournal.Open(At(dir)));
        Assert.Contains("99", e.Message, StringComparison.Ordinal);
        Assert.Contains("newer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_database_is_in_wal_mode_and_commits_are_not_synced_unless_asked()
    {
        using var dir = new TempDirectory();
        var options = At(dir);
        using var journal = EventJournal.Open(options);
        // synchronous = NORMAL: the writer asks for the synced commits (critical events, SyncMaxDelay; JournalSyncTests).
        Assert.Equal(1, journal.Writer.ExecuteScalar("PRAGMA synchronous"));
        using var check = SqliteConnection.Open(options.Path);
        using var mode = check.Prepare("PRAGMA journal_mode");
        Assert.True(mode.Step());
        Assert.Equal("wal", mode.GetString(0));
    }

    [Fact]
    public void Invalid_options_are_rejected_with_messages_naming_each_key()
    {
        var options = new JournalOptions { Path = "", BatchMaxEvents = 0, BatchMaxDelay = TimeSpan.FromSeconds(-1), RetentionMaxBytes = 10, RetentionInterval = TimeSpan.Zero };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("Journal:Path", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Journal:BatchMaxEvents", StringComparison.Ordinal) && e.Contains("got 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Journal:BatchMaxDelay", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Journal:RetentionMaxBytes", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Journal:RetentionInterval", StringComparison.Ordinal));
        Assert.Empty(Defaults.Validate());
    }

    [Fact]
    public void A_missing_folder_gives_an_error_naming_the_file()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<SqliteException>(() => EventJournal.Open(new JournalOptions { Path = dir.File("no/such/journal.db") }));
        Assert.Contains("no/such/journal.db", e.Message, StringComparison.Ordinal);
    }
}
