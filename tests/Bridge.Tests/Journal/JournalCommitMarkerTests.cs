using Appliance.Bridge.Journal;
using Appliance.Bridge.Sqlite;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal;

/// <summary>The VM and event filters through per-commit markers (schema versions 4 and 6, <see cref="JournalCommitMarkers"/>).</summary>
public sealed class JournalCommitMarkerTests
{
    private static readonly DateTimeOffset T0 = TestEvents.Start;

    [Fact]
    public void The_first_row_of_each_vm_in_a_commit_carries_the_marker()
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        journal.Append([Row("a"), Row("b"), Row("a"), Row("b")]);   // seq 1..4
        journal.Append([Row("b"), Row("a")]);                       // seq 5..6

        Assert.Equal([1L, 2, 5, 6], MarkedSeqs(dir, "first_of_vm"));
    }

    [Fact]
    public void The_first_row_of_each_event_name_in_a_commit_carries_the_event_marker()
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        journal.Append([TestEvents.Named("STOP", "a"), TestEvents.Named("RESUME", "a"), TestEvents.Named("STOP", "b"), TestEvents.Named("RESUME", "b")]);   // seq 1..4
        journal.Append([TestEvents.Named("RESUME", "a"), TestEvents.Named("STOP", "a")]);                                             // seq 5..6

        Assert.Equal([1L, 2, 5, 6], MarkedSeqs(dir, "first_of_event"));
    }

    [Fact]
    public void The_marker_is_not_part_of_an_entrys_flags()
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        journal.Append([TestEvents.Critical("a"), Row("b")]);

        var rows = journal.ReadAfter(0, 10);

        Assert.Equal([VmEventFlags.Critical, VmEventFlags.None], rows.Select(r => r.Flags));
    }

    [Fact]
    public void A_vm_silent_for_many_commits_is_found_with_its_newest_rows_first()
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        journal.Append([Row("quiet"), Row("busy"), Row("quiet")]);  // seq 1..3
        for (int i = 0; i < 200; i++) journal.Append([Row("busy"), Row("busy"), Row("busy")]);

        Assert.Equal([1L, 3], journal.Query(new JournalQuery(Vm: "quiet")).Select(r => r.Seq));
        Assert.Equal([600L, 601, 602, 603], journal.Query(new JournalQuery(Vm: "busy", Limit: 4)).Select(r => r.Seq));
    }

    [Fact]
    public void A_critical_row_takes_no_event_marker_and_is_found_through_its_own_index_entry()
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        var critical = TestEvents.Named("BLOCK_IO_ERROR", "a") with { Flags = VmEventFlags.Critical };
        journal.Append([critical, TestEvents.Named("BLOCK_IO_ERROR", "a"), critical, TestEvents.Named("BLOCK_IO_ERROR", "b")]);   // seq 1..4

        Assert.Equal([2L], MarkedSeqs(dir, "first_of_event"));
        Assert.Equal([1L, 2, 3, 4], journal.Query(new JournalQuery(Events: ["BLOCK_IO_ERROR"])).Select(r => r.Seq));
        Assert.Equal([1L, 3], journal.Query(new JournalQuery(Vm: "a", Events: ["BLOCK_IO_ERROR"])).Where(r => r.Flags == VmEventFlags.Critical).Select(r => r.Seq));
    }

    [Fact]
    public void An_event_silent_for_many_commits_is_found_with_its_newest_rows_first()
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        journal.Append([TestEvents.Named("WATCHDOG", "a"), TestEvents.Named("STOP", "a"), TestEvents.Named("WATCHDOG", "b")]);   // seq 1..3
        for (int i = 0; i < 200; i++) journal.Append([TestEvents.Named("STOP", "a"), TestEvents.Named("STOP", "b"), TestEvents.Named("STOP", "a")]);

        Assert.Equal([1L, 3], journal.Query(new JournalQuery(Events: ["WATCHDOG"])).Select(r => r.Seq));
        Assert.Equal([3L], journal.Query(new JournalQuery(Vm: "b", Events: ["WATCHDOG"])).Select(r => r.Seq));
        Assert.Equal([600L, 601, 602, 603], journal.Query(new JournalQuery(Events: ["STOP"], Limit: 4)).Select(r => r.Seq));
    }

    [Fact]
    public void A_busy_event_of_a_quiet_vm_is_found_among_the_commits_of_other_vms()
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        journal.Append([TestEvents.Named("STOP", "busy"), TestEvents.Named("STOP", "quiet"), TestEvents.Named("STOP", "busy")]);   // seq 1..3
        for (int i = 0; i < 200; i++) journal.Append([TestEvents.Named("STOP", "busy"), TestEvents.Named("RESUME", "quiet")]);

        Assert.Equal([2L], journal.Query(new JournalQuery(Vm: "quiet", Events: ["STOP"])).Select(r => r.Seq));
        Assert.Equal([400L, 402], journal.Query(new JournalQuery(Vm: "busy", Events: ["STOP"], Limit: 2)).Select(r => r.Seq));
    }

    [Fact]
    public void Following_from_inside_a_commit_returns_only_the_later_rows_of_the_vm()
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        journal.Append([Row("a"), Row("b"), Row("a"), Row("a")]);   // seq 1..4, the marker of a at 1

        Assert.Equal([3L, 4], journal.Query(new JournalQuery(Vm: "a", AfterSeq: 2)).Select(r => r.Seq));
    }

    [Fact]
    public void Retention_that_cuts_into_a_commit_leaves_its_remaining_rows_reachable_by_vm()
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        journal.Append([Row("a"), Row("b"), Row("a"), Row("b")]);   // seq 1..4, markers at 1 (a) and 2 (b)
        journal.Append([Row("a")]);                                 // seq 5

        Assert.Equal(2, journal.Writer.Prune(2));

        Assert.Equal([4L], journal.Query(new JournalQuery(Vm: "b")).Select(r => r.Seq));
        Assert.Equal([3L, 5], journal.Query(new JournalQuery(Vm: "a")).Select(r => r.Seq));
    }

    [Fact]
    public void Retention_that_cuts_into_a_commit_leaves_its_remaining_rows_reachable_by_event()
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        journal.Append([TestEvents.Named("STOP", "a"), TestEvents.Named("RESUME", "a"), TestEvents.Named("STOP", "a"), TestEvents.Named("RESUME", "a")]);   // markers at 1 and 2
        journal.Append([TestEvents.Named("STOP", "a")]);                                                                   // seq 5

        Assert.Equal(2, journal.Writer.Prune(2));

        Assert.Equal([4L], journal.Query(new JournalQuery(Events: ["RESUME"])).Select(r => r.Seq));
        Assert.Equal([3L, 5], journal.Query(new JournalQuery(Vm: "a", Events: ["STOP"])).Select(r => r.Seq));
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 2)]
    public void Filtered_queries_with_any_bounds_return_what_a_scan_of_every_row_returns(bool byVm, int eventNames)
    {
        using var dir = new TempDirectory();
        using var journal = Open(dir);
        var random = new Random(20261121 + eventNames);
        string[] vms = ["a", "b", "c"];
        string[] names = ["STOP", "RESUME", "WATCHDOG"];
        for (int commit = 0, n = 0; commit < 60; commit++)
        {
            // Received times wander back now and then, as clocks do.
            // One row in four critical, of any name (BLOCK_IO_ERROR is critical only with action stop).
            journal.Append([.. Enumerable.Range(0, random.Next(1, 9)).Select(_ =>
                TestEvents.Named(names[random.Next(names.Length)], vms[random.Next(vms.Length)], T0.AddSeconds(n++ - random.Next(3) * 5), n)
                    with { Flags = random.Next(4) == 0 ? VmEventFlags.Critical : VmEventFlags.None })]);
        }
        var all = journal.ReadAfter(0, 10_000);

        for (int i = 0; i < 200; i++)
        {
            string? vm = byVm ? vms[random.Next(vms.Length)] : null;
            string[]? events = eventNames == 0 ? null : [.. names.OrderBy(_ => random.Next()).Take(eventNames)];
            DateTimeOffset? since = random.Next(2) == 0 ? T0.AddSeconds(random.Next(300)) : null;
            DateTimeOffset? until = random.Next(2) == 0 ? T0.AddSeconds(random.Next(300)) : null;
            if (since > until) (since, until) = (until, since);
            var query = new JournalQuery(Vm: vm, Events: events, Since: since, Until: until, AfterSeq: random.Next(2) == 0 ? random.Next(all.Count) : 0,
                Limit: random.Next(1, 40));

            var expected = all.Where(r => (vm is null || r.Vm == vm) && (events is null || events.Contains(r.Event)) && r.Seq > query.AfterSeq
                && (since is null || r.Received >= since) && (until is null || r.Received < until))
                .TakeLast(query.Limit).Select(r => r.Seq);
            Assert.Equal(expected, journal.Query(query).Select(r => r.Seq));
        }
    }

    [Theory]
    [InlineData(true, 0, "events_by_vm_commit")]
    [InlineData(false, 1, "events_by_event_commit")]
    [InlineData(true, 1, "events_by_event_commit")]
    [InlineData(true, 2, "events_by_event_commit")]
    [InlineData(false, 1, "events_by_critical")]
    [InlineData(true, 1, "events_by_critical")]
    public void A_filtered_query_walks_its_indexes_without_sorting_the_rows(bool vm, int eventNames, string index)
    {
        using var dir = new TempDirectory();
        using (Open(dir)) { }
        using var connection = SqliteConnection.Open(dir.File("journal.db"));
        using var plan = connection.Prepare("EXPLAIN QUERY PLAN " + JournalQuerySql.Build(vm, eventNames, since: true, until: true));
        var steps = new List<string>();
        while (plan.Step()) steps.Add(plan.GetString(3));

        Assert.Contains(steps, s => s.Contains(index, StringComparison.Ordinal));
        Assert.DoesNotContain(steps, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, s => s.StartsWith("SCAN e", StringComparison.Ordinal) || s.StartsWith("SCAN m", StringComparison.Ordinal));
    }

    private static EventJournal Open(TempDirectory dir) => EventJournal.Open(new JournalOptions { Path = dir.File("journal.db") });

    private static VmEvent Row(string vm) => TestEvents.Named("STOP", vm);

    private static long[] MarkedSeqs(TempDirectory dir, string marker)
    {
        using var connection = SqliteConnection.Open(dir.File("journal.db"), readOnly: true, create: false);
        using var statement = connection.Prepare($"SELECT seq FROM events WHERE {marker} ORDER BY seq");
        var seqs = new List<long>();
        while (statement.Step()) seqs.Add(statement.GetInt64(0));
        return [.. seqs];
    }
}
