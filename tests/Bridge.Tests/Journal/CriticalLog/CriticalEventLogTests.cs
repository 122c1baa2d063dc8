using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Journal.CriticalLog;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal.CriticalLog;

/// <summary>The critical log alongside a running writer: real files, a real hub, the writer on its own thread.</summary>
public sealed class CriticalEventLogTests
{
    [Fact]
    public async Task A_critical_event_is_written_to_the_log_and_the_commit_holding_it_moves_the_counter()
    {
        await using var harness = new JournalHarness();
        await harness.StartAsync();
        var critical = TestEvents.Critical();

        using (new JournalWriteLockHold(harness.Journal))
        {
            await harness.PublishAsync([TestEvents.Named("STOP"), critical]);
            await harness.Writer.WhenDurableAsync(critical).WaitAsync(JournalHarness.Patience);
        }
        await harness.WaitForSeqAsync(2);

        Assert.Equal(1, harness.Writer.CriticalLogCounters.Written);
        var record = Assert.Single(RecordsOnDisk(harness));
        Assert.Equal((1L, "vm1"), (record.Number, record.Vm));
        Assert.Equal(critical.Event.Raw.ToArray(), record.Line);
        Assert.Equal(1, harness.Journal.Writer.ExecuteScalar("SELECT value FROM counters WHERE name = 'critical_log'"));
    }

    [Fact]
    public async Task A_critical_event_is_durable_while_the_writer_cannot_commit_and_a_power_cut_then_loses_it_from_no_one()
    {
        using var copy = new TempDirectory();
        await using var harness = new JournalHarness();
        await harness.StartAsync();
        await harness.PublishAsync([TestEvents.Named("STOP"), TestEvents.Critical("vm0")]);   // commits at once
        await harness.WaitForSeqAsync(2);
        var critical = TestEvents.Critical("vm9");

        using (new JournalWriteLockHold(harness.Journal))
        {
            await harness.PublishAsync([TestEvents.Named("RESUME"), critical]);
            await harness.Writer.WhenDurableAsync(critical).WaitAsync(JournalHarness.Patience);
            Assert.Equal(2, harness.Journal.LastCommittedSeq);
            // What the disk holds at this moment is what a power cut would leave.
            foreach (var suffix in new[] { "", "-wal", "-critical" })
            {
                string source = harness.Options.Path + suffix;
                if (File.Exists(source)) File.Copy(source, copy.File("journal.db" + suffix));
            }
        }

        using var afterPowerCut = EventJournal.Open(new JournalOptions { Path = copy.File("journal.db") });

        var rows = afterPowerCut.ReadAfter(0, 10);
        // RESUME was never committed: a power cut loses it, as any event not yet committed.
        Assert.Equal([("vm1", "STOP"), ("vm0", "WATCHDOG"), ("vm9", "WATCHDOG")], rows.Select(r => (r.Vm, r.Event)));
        Assert.Equal(VmEventFlags.Critical, rows[2].Flags);
    }

    [Fact]
    public async Task Critical_events_from_concurrent_publishers_commit_in_the_order_of_their_numbers()
    {
        await using var harness = new JournalHarness();
        await harness.StartAsync();
        var critical = Enumerable.Range(0, 200).Select(i => TestEvents.Critical($"vm{i % 8}")).ToArray();

        // The writer held off until every record is written: a record whose commit came first is not written at all.
        using (new JournalWriteLockHold(harness.Journal))
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
            {
                for (int i = p; i < critical.Length; i += 8) await harness.Hub.PublishAsync(critical[i]);
            })));
            await JournalHarness.EventuallyAsync(() => harness.Writer.CriticalLogCounters.Written == critical.Length, "every record written");
        }
        await harness.WaitForSeqAsync(critical.Length);

        var rows = harness.Journal.ReadAfter(0, 1000);
        var numbers = RecordsOnDisk(harness).ToDictionary(r => r.Number);
        Assert.Equal(critical.Length, numbers.Count);
        // Row i holds the event numbered i + 1: the same VM, the same line.
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(numbers[i + 1].Vm, rows[i].Vm);
        }
        Assert.Equal(critical.Length, harness.Journal.Writer.ExecuteScalar("SELECT value FROM counters WHERE name = 'critical_log'"));
    }

    [Fact]
    public async Task When_the_log_is_full_of_events_not_yet_committed_the_next_is_durable_with_its_commit()
    {
        // 64 KiB: 127 sectors after the header, one record each.
        await using var harness = new JournalHarness(o => o.CriticalLogBytes = 64 * 1024);
        await harness.StartAsync();
        var critical = Enumerable.Range(0, 130).Select(_ => TestEvents.Critical()).ToArray();

        using (new JournalWriteLockHold(harness.Journal))
        {
            await harness.PublishAsync(critical);
            await JournalHarness.EventuallyAsync(() => harness.Writer.CriticalLogCounters.Skipped == 3, "three records skipped");
            Assert.Equal(127, harness.Writer.CriticalLogCounters.Written);
            Assert.False(harness.Writer.WhenDurableAsync(critical[129]).IsCompleted);
        }

        await harness.Writer.WhenDurableAsync(critical[129]).WaitAsync(JournalHarness.Patience);
        await harness.WaitForSeqAsync(130);
        // The commit freed the ring: the next critical event is written again.
        await harness.PublishAsync([TestEvents.Critical()]);
        await JournalHarness.EventuallyAsync(() => harness.Writer.CriticalLogCounters.Written == 128, "the next record written");
    }

    [Fact]
    public async Task With_the_log_off_a_critical_event_is_durable_with_its_commit()
    {
        await using var harness = new JournalHarness(o => o.CriticalLogBytes = 0);
        await harness.StartAsync();
        var critical = TestEvents.Critical();

        await harness.PublishAsync([critical]);
        await harness.Writer.WhenDurableAsync(critical).WaitAsync(JournalHarness.Patience);

        Assert.Equal(1, harness.Journal.LastCommittedSeq);
        Assert.False(File.Exists(CriticalLogRecovery.LogPath(harness.Options.Path)));
        Assert.Equal(0, harness.Writer.CriticalLogCounters.Written);
    }

    private static IReadOnlyList<CriticalLogRecord> RecordsOnDisk(JournalHarness harness)
    {
        long journalId = harness.Journal.Writer.ExecuteScalar("SELECT value FROM counters WHERE name = 'journal_id'");
        return CriticalLogFile.ReadRecords(CriticalLogRecovery.LogPath(harness.Options.Path), journalId, out _);
    }
}
