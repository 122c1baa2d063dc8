using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Sqlite;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalSchemaTests
{
    private static readonly DateTimeOffset T0 = TestEvents.Start;

    [Fact]
    public void A_version_1_journal_is_migrated_keeping_its_rows_and_their_queries()
    {
        using var dir = new TempDirectory();
        string path = dir.File("journal.db");
        CreateVersion1(path, rows: 1500);

        using var journal = EventJournal.Open(new JournalOptions { Path = path });

        Assert.Equal(JournalSchema.CurrentVersion, journal.Writer.ExecuteScalar("PRAGMA user_version"));
        Assert.Equal(1500, journal.LastCommittedSeq);
        Assert.Equal(0, journal.Writer.ExecuteScalar("SELECT count(*) FROM sqlite_master WHERE name = 'events_by_received'"));
        var watchdogs = journal.Query(new JournalQuery(Vm: "vm1", Events: ["WATCHDOG"], Limit: 3));
        Assert.Equal([1480L, 1490, 1500], watchdogs.Select(r => r.Seq));
        // Row i was received at T0 + i s: since 1000 s and until 1005 s is rows 1000..1004 (seq 1001..1005).
        var window = journal.Query(new JournalQuery(Since: T0.AddSeconds(1000), Until: T0.AddSeconds(1005)));
        Assert.Equal([1001L, 1002, 1003, 1004, 1005], window.Select(r => r.Seq));
    }

    [Fact]
    public void Appending_to_a_migrated_journal_continues_its_sequence()
    {
        using var dir = new TempDirectory();
        string path = dir.File("journal.db");
        CreateVersion1(path, rows: 10);

        using var journal = EventJournal.Open(new JournalOptions { Path = path });
        journal.Append([TestEvents.Named("RESET", received: T0.AddSeconds(20))]);

        Assert.Equal(11, journal.LastCommittedSeq);
        Assert.Equal([11L], journal.Query(new JournalQuery(Since: T0.AddSeconds(15))).Select(r => r.Seq));
    }

    [Fact]
    public void Time_filters_stay_exact_when_the_clock_steps_back_between_commits()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(new JournalOptions { Path = dir.File("journal.db") });
        journal.Append(Received(60, 61, 62));     // seq 1..3
        journal.Append(Received(0, 1));           // seq 4..5: the clock stepped back an hour
        journal.Append(Received(70, 71));         // seq 6..7

        Assert.Equal([1L, 2, 3, 6, 7], journal.Query(new JournalQuery(Since: T0.AddMinutes(30))).Select(r => r.Seq));
        Assert.Equal([4L, 5], journal.Query(new JournalQuery(Until: T0.AddMinutes(30))).Select(r => r.Seq));
        Assert.Equal([3L, 6], journal.Query(new JournalQuery(Since: T0.AddMinutes(62), Until: T0.AddMinutes(71))).Select(r => r.Seq));
    }

    [Fact]
    public void Retention_by_age_prunes_rows_of_a_commit_the_clock_stepped_back_in()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db"), RetentionMaxAge = TimeSpan.FromMinutes(30), RetentionMaxBytes = 0 };
        using var journal = EventJournal.Open(options);
        journal.Append(Received(60, 61));         // seq 1..2
        journal.Append(Received(0, 1));           // seq 3..4
        journal.Append(Received(70));             // seq 5
        var time = new FakeTimeProvider(T0.AddMinutes(60));

        long pruned = new JournalRetention(journal, options, time).RunOnce();

        Assert.Equal(2, pruned);
        Assert.Equal([1L, 2, 5], journal.ReadAfter(0, 10).Select(r => r.Seq));
    }

    [Fact]
    public void The_marks_of_pruned_commits_are_deleted_with_them()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db"), RetentionMaxAge = TimeSpan.FromMinutes(30), RetentionMaxBytes = 0 };
        using var journal = EventJournal.Open(options);
        journal.Append(Received(0, 1));           // seq 1..2, pruned
        journal.Append(Received(50));             // seq 3
        journal.Append(Received(55));             // seq 4

        new JournalRetention(journal, options, new FakeTimeProvider(T0.AddMinutes(60))).RunOnce();

        Assert.Equal([3L, 4], journal.ReadAfter(0, 10).Select(r => r.Seq));
        Assert.Equal(2, journal.Writer.ExecuteScalar("SELECT count(*) FROM received_marks"));
    }

    [Fact]
    public void A_version_3_journal_gets_a_marker_on_the_first_row_of_each_vm_in_each_range_of_its_marks()
    {
        using var dir = new TempDirectory();
        // Ranges (0, 3] and (3, 6] of the marks, then row 7 after the last mark.
        using var journal = MigratedFrom(dir, 3, """
            INSERT INTO events(vm, event, timestamp_us, received_us, flags, raw)
            SELECT column1, 'STOP', 0, 0, 0, CAST('{}' AS BLOB)
            FROM (VALUES ('a'), ('b'), ('a'), ('b'), ('a'), ('a'), ('b'));
            INSERT INTO received_marks(seq, low_us, high_us) VALUES (3, 0, 0), (6, 0, 0);
            """);

        Assert.Equal(0, journal.Writer.ExecuteScalar("SELECT count(*) FROM sqlite_master WHERE name = 'events_by_vm'"));
        Assert.Equal(0b1011011, journal.Writer.ExecuteScalar("SELECT sum(1 << (seq - 1)) FROM events WHERE first_of_vm"));
        Assert.Equal([2L, 4, 7], journal.Query(new JournalQuery(Vm: "b")).Select(r => r.Seq));
    }

    [Fact]
    public void A_version_5_journal_gets_a_marker_on_the_first_ordinary_row_of_each_event_name_in_each_range_of_its_marks()
    {
        using var dir = new TempDirectory();
        // Ranges (0, 3] and (3, 6] of the marks, then row 7 after the last mark; VM markers as version 5 wrote them; row 6
        // is critical, so it takes no event marker (it has an entry of its own in events_by_critical).
        using var journal = MigratedFrom(dir, 5, """
            INSERT INTO events(vm, event, timestamp_us, received_us, flags, raw)
            SELECT 'a', column1, 0, 0, column2, CAST('{}' AS BLOB)
            FROM (VALUES ('STOP', 1024), ('RESUME', 0), ('STOP', 0), ('RESUME', 1024), ('RESUME', 0), ('STOP', 1), ('STOP', 1024));
            INSERT INTO received_marks(seq, low_us, high_us) VALUES (3, 0, 0), (6, 0, 0);
            """);

        Assert.Equal(0, journal.Writer.ExecuteScalar("SELECT count(*) FROM sqlite_master WHERE name = 'events_by_event'"));
        Assert.Equal(0b1001011, journal.Writer.ExecuteScalar("SELECT sum(1 << (seq - 1)) FROM events WHERE first_of_event"));
        Assert.Equal(0b1001001, journal.Writer.ExecuteScalar("SELECT sum(1 << (seq - 1)) FROM events WHERE first_of_vm"));
        Assert.Equal([1L, 3, 6, 7], journal.Query(new JournalQuery(Events: ["STOP"])).Select(r => r.Seq));
        Assert.Equal([2L, 4, 5], journal.Query(new JournalQuery(Vm: "a", Events: ["RESUME"])).Select(r => r.Seq));
    }

    [Fact]
    public void A_version_6_journal_gets_a_column_per_meaning_of_its_flags_and_keeps_its_lines_and_queries()
    {
        using var dir = new TempDirectory();
        // flags: 1 critical, 2 gap, 0x100 / 0x200 the line's layout, 0x400 / 0x800 the commit markers; one range of marks.
        using var journal = MigratedFrom(dir, 6, """
            INSERT INTO events(vm, event, timestamp_us, received_us, flags, raw)
            VALUES ('a', 'STOP', 1000002, 0, 256 | 1024 | 2048, CAST('{"x": 1}' AS BLOB)),
                   ('a', 'WATCHDOG', 3000004, 0, 512 | 1, CAST('{"action":"reset"}' AS BLOB)),
                   ('a', 'STOP', 0, 0, 2, CAST('{"event": "STOP"}' AS BLOB));
            INSERT INTO received_marks(seq, low_us, high_us) VALUES (3, 0, 0);
            """);

        using (var check = SqliteConnection.Open(journal.Path, readOnly: true))
        using (var columns = check.Prepare("SELECT group_concat(layout || ' ' || critical || ' ' || gap || ' ' || first_of_vm || ' ' || first_of_event, '|') FROM events"))
        {
            Assert.True(columns.Step());
            Assert.Equal("256 0 0 1 1|512 1 0 0 0|0 0 1 0 0", columns.GetString(0));
        }
        var rows = journal.ReadAfter(0, 10);
        Assert.Equal([VmEventFlags.None, VmEventFlags.Critical, VmEventFlags.Gap], rows.Select(r => r.Flags));
        Assert.Equal("""{"timestamp":{"seconds":3,"microseconds":4},"event":"WATCHDOG","data":{"action":"reset"}}""", Encoding.UTF8.GetString(rows[1].RawJson));
        Assert.Equal([2L], journal.Query(new JournalQuery(Vm: "a", Events: ["WATCHDOG"])).Select(r => r.Seq));
        Assert.Equal([1L, 3], journal.Query(new JournalQuery(Vm: "a", Events: ["STOP"])).Select(r => r.Seq));
    }

    [Fact]
    public void A_version_6_journal_keeps_the_counters_that_tell_which_records_of_its_old_critical_log_it_holds()
    {
        using var dir = new TempDirectory();
        using var journal = MigratedFrom(dir, 6, """
            INSERT OR REPLACE INTO counters(name, value) VALUES ('critical_log', 5), ('journal_id', 42);
            """);

        using var check = SqliteConnection.Open(journal.Path, readOnly: true);
        Assert.Equal(5, check.ExecuteScalar("SELECT value FROM counters WHERE name = 'critical_log'"));
        Assert.Equal(42, check.ExecuteScalar("SELECT value FROM counters WHERE name = 'journal_id'"));
    }

    private static VmEvent[] Received(params int[] minutes) =>
        [.. minutes.Select(m => TestEvents.Named("STOP", received: T0.AddMinutes(m), n: m))];

    // A journal left at that schema version with the rows that sql inserts, opened (and so migrated) by this build.
    private static EventJournal MigratedFrom(TempDirectory dir, int version, string sql)
    {
        string path = dir.File("journal.db");
        CreateAtVersion(path, version, sql);
        return EventJournal.Open(new JournalOptions { Path = path });
    }

    // A journal as the build of that schema version left it, with the rows that sql inserts.
    private static void CreateAtVersion(string path, int version, string sql)
    {
        using var connection = SqliteConnection.Open(path);
        connection.Execute("PRAGMA journal_mode = WAL");
        JournalSchema.Migrate(connection, targetVersion: version);
        connection.Execute(sql);
    }

    // A journal as the version-1 build left it: rows inserted straight into events (row i received at T0 + i s,
    // every tenth a WATCHDOG of vm1), no received_marks.
    private static void CreateVersion1(string path, int rows)
    {
        using var connection = SqliteConnection.Open(path);
        connection.Execute("PRAGMA journal_mode = WAL");
        JournalSchema.Migrate(connection, targetVersion: 1);
        Assert.Equal(1, connection.ExecuteScalar("SELECT count(*) FROM sqlite_master WHERE name = 'events_by_received'"));
        long t0 = (T0.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        connection.Execute($$"""
            WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < {{rows - 1}})
            INSERT INTO events(vm, event, timestamp_us, received_us, flags, raw)
            SELECT 'vm' || (i % 2), CASE WHEN i % 10 = 9 THEN 'WATCHDOG' ELSE 'STOP' END, i, {{t0}} + i * 1000000, 0,
                   CAST('{"event": "STOP"}' AS BLOB) FROM c
            """);
    }
}
