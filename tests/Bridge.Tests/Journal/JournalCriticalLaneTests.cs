using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalCriticalLaneTests
{
    [Fact]
    public async Task A_critical_event_is_durable_in_the_critical_file_before_its_commit_and_the_files_as_a_power_cut_leaves_them_open_with_it()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero, criticalLane: true);
        await h.StartAsync();
        var critical = TestEvents.Critical(vm: "db");
        // Held: nothing is committed, as when the writer is still busy with the events queued before the critical one.
        using (h.Writer.Hold())
        {
            var durable = h.Writer.CriticalLane!.WhenDurableAsync(critical);
            await h.PublishAsync([TestEvents.Named("STOP"), critical]);
            await durable.WaitAsync(JournalHarness.Patience);
            Assert.Equal(0, h.Journal.LastCommittedSeq);

            using var copy = new TempDirectory();
            foreach (string suffix in new[] { "", "-wal", JournalCriticalFile.Suffix })
            {
                if (File.Exists(h.Options.Path + suffix)) File.Copy(h.Options.Path + suffix, copy.File("journal.db" + suffix));
            }
            using var reopened = EventJournal.Open(new JournalOptions { Path = copy.File("journal.db") });

            var row = Assert.Single(reopened.ReadAfter(0, 10));
            Assert.Equal(("db", "WATCHDOG", VmEventFlags.Critical), (row.Vm, row.Event, row.Flags));
            Assert.Equal(critical.Event.Raw.ToArray(), row.RawJson.ToArray());
            Assert.False(File.Exists(copy.File("journal.db" + JournalCriticalFile.Suffix)));
        }
        await h.WaitForSeqAsync(2);
    }

    [Fact]
    public async Task Once_its_event_is_committed_a_record_is_zeroed()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero, criticalLane: true);
        await h.StartAsync();
        var critical = TestEvents.Critical();
        using (h.Writer.Hold())
        {
            await h.PublishAsync([critical]);
            await JournalHarness.EventuallyAsync(() => h.Writer.CriticalLane!.Counts.Written == 1, "the record");
            Assert.Contains(RecordBytes(h.Options.Path), b => b != 0);
        }

        await h.WaitForSeqAsync(1);

        await JournalHarness.EventuallyAsync(() => RecordBytes(h.Options.Path).All(b => b == 0), "the record zeroed");
    }

    [Fact]
    public async Task Only_critical_events_reach_the_lane()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero, criticalLane: true);
        await h.StartAsync();
        var critical = TestEvents.Critical();
        var durable = h.Writer.CriticalLane!.WhenDurableAsync(critical);

        using (h.Writer.Hold())
        {
            await h.PublishAsync([TestEvents.Named("STOP"), TestEvents.Named("RESUME"), critical]);
            // Held, so only the lane can have made it durable; events it took before would have been written first.
            await durable.WaitAsync(JournalHarness.Patience);
            Assert.Equal((1, 0), h.Writer.CriticalLane.Counts);
        }
        await h.WaitForSeqAsync(3);
    }

    [Fact]
    public void At_open_only_the_critical_events_the_table_lacks_are_put_back_in_file_order()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db") };
        var committed = TestEvents.Critical(vm: "a");
        var lost1 = TestEvents.Critical(vm: "b");
        var lost2 = TestEvents.Critical(vm: "c");
        using (var journal = EventJournal.Open(options)) journal.Append([committed]);
        WriteFile(options.Path + JournalCriticalFile.Suffix, committed, lost1, lost2);

        using (var journal = EventJournal.Open(options))
        {
            Assert.Equal(["a", "b", "c"], journal.ReadAfter(0, 10).Select(r => r.Vm));
        }
        Assert.False(File.Exists(options.Path + JournalCriticalFile.Suffix));
    }

    [Fact]
    public void A_torn_record_is_skipped_and_the_records_after_it_are_put_back()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db") };
        EventJournal.Open(options).Dispose();
        string file = options.Path + JournalCriticalFile.Suffix;
        WriteFile(file, TestEvents.Critical(vm: "torn"), TestEvents.Critical(vm: "whole"));
        var bytes = File.ReadAllBytes(file);
        bytes[JournalCriticalFile.Sector + 100] ^= 0xFF;
        File.WriteAllBytes(file, bytes);

        using var journal = EventJournal.Open(options);

        Assert.Equal(["whole"], journal.ReadAfter(0, 10).Select(r => r.Vm));
    }

    // The file as the lane writes it: a header, then each record from the first sector after it.
    private static void WriteFile(string path, params VmEvent[] events)
    {
        using (var handle = JournalCriticalFile.Create(path, 64 * 1024))
        {
            long offset = JournalCriticalFile.Sector;
            var record = new byte[16 * 1024];
            foreach (var e in events)
            {
                int length = JournalCriticalFile.Encode(e, record);
                RandomAccess.Write(handle, record.AsSpan(0, length), offset);
                offset += length;
            }
        }
    }

    private static byte[] RecordBytes(string journalPath)
    {
        using var stream = new FileStream(journalPath + JournalCriticalFile.Suffix, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes[JournalCriticalFile.Sector..];
    }
}
