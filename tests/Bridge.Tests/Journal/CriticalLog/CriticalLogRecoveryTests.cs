using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Journal.CriticalLog;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal.CriticalLog;

/// <summary>What an open of the journal does with the records of its critical log: each record stands for a critical
/// event whose write to the log was synced, and whose journal commit a power cut may have taken.</summary>
public sealed class CriticalLogRecoveryTests
{
    private const string WatchdogLine = """{"event": "WATCHDOG", "data": {"action": "reset"}, "timestamp": {"seconds": 1767225600, "microseconds": 7}}""";
    private static readonly long ReceivedUs = JournalWriteStore.ToMicroseconds(TestEvents.Start.AddSeconds(3));

    [Fact]
    public void A_critical_event_the_table_lost_is_put_back_field_for_field()
    {
        using var dir = new TempDirectory();
        var options = Options(dir);
        WriteRecords(options, Record(1, WatchdogLine));

        using var journal = EventJournal.Open(options);

        var row = Assert.Single(journal.ReadAfter(0, 10));
        Assert.Equal(("vm7", "WATCHDOG", VmEventFlags.Critical, WatchdogLine), (row.Vm, row.Event, row.Flags, Encoding.UTF8.GetString(row.RawJson)));
        Assert.Equal(TestEvents.Start.AddSeconds(3), row.Received);
        Assert.Equal(1, journal.CriticalLogOutcome!.Recovered);
    }

    [Fact]
    public void A_record_put_back_once_is_not_put_back_again_at_the_next_open()
    {
        using var dir = new TempDirectory();
        var options = Options(dir);
        WriteRecords(options, Record(1, WatchdogLine));
        EventJournal.Open(options).Dispose();

        using var journal = EventJournal.Open(options);

        Assert.Single(journal.ReadAfter(0, 10));
        Assert.Equal(0, journal.CriticalLogOutcome!.Recovered);
    }

    [Fact]
    public void Records_of_events_the_table_holds_are_not_put_back()
    {
        using var dir = new TempDirectory();
        var options = Options(dir);
        using (var journal = EventJournal.Open(options))
        {
            // The commit of critical event number 1 moves the counter to 1 with it.
            journal.Writer.CriticalNumberOf = _ => 1;
            journal.Append([TestEvents.Line(WatchdogLine, "vm7", flags: VmEventFlags.Critical)]);
        }
        WriteRecords(options, Record(1, WatchdogLine));

        using var reopened = EventJournal.Open(options);

        Assert.Single(reopened.ReadAfter(0, 10));
    }

    [Fact]
    public void Lost_events_are_put_back_after_the_surviving_rows_in_the_order_of_their_numbers()
    {
        using var dir = new TempDirectory();
        var options = Options(dir);
        using (var journal = EventJournal.Open(options)) journal.Append([TestEvents.Named("STOP"), TestEvents.Named("RESUME")]);
        // Written out of order in the file, as after the ring wrapped.
        WriteRecords(options, Record(3, Line("GUEST_PANICKED", 3)), Record(2, Line("WATCHDOG", 2)));

        using var reopened = EventJournal.Open(options);

        Assert.Equal(["STOP", "RESUME", "WATCHDOG", "GUEST_PANICKED"], reopened.ReadAfter(0, 10).Select(r => r.Event));
    }

    [Fact]
    public void A_torn_record_is_left_out_and_the_others_are_put_back()
    {
        using var dir = new TempDirectory();
        var options = Options(dir);
        WriteRecords(options, Record(1, Line("WATCHDOG", 1)), Record(2, Line("GUEST_PANICKED", 2)));
        TearSecondRecord(options);

        using var journal = EventJournal.Open(options);

        Assert.Equal(["WATCHDOG"], journal.ReadAfter(0, 10).Select(r => r.Event));
    }

    [Fact]
    public void A_log_left_beside_a_replaced_journal_is_not_replayed_into_it()
    {
        using var dir = new TempDirectory();
        var options = Options(dir);
        WriteRecords(options, Record(1, WatchdogLine));
        File.Delete(options.Path);

        using var journal = EventJournal.Open(options);

        Assert.Empty(journal.ReadAfter(0, 10));
        Assert.Contains("another journal", journal.CriticalLogOutcome!.Problem);
    }

    [Fact]
    public void Numbers_go_on_after_the_highest_in_the_file_so_no_record_is_mistaken_for_an_older_one()
    {
        using var dir = new TempDirectory();
        var options = Options(dir);
        WriteRecords(options, Record(5, WatchdogLine));
        using var journal = EventJournal.Open(options);
        var critical = TestEvents.Critical();

        journal.CriticalLog!.Assign(critical);

        Assert.Equal(6, journal.CriticalLog.NumberOf(critical));
    }

    [Fact]
    public void With_the_log_off_its_file_is_still_recovered_and_then_removed()
    {
        using var dir = new TempDirectory();
        var options = Options(dir);
        WriteRecords(options, Record(1, WatchdogLine));
        options.CriticalLogBytes = 0;

        using var journal = EventJournal.Open(options);

        Assert.Single(journal.ReadAfter(0, 10));
        Assert.False(File.Exists(CriticalLogRecovery.LogPath(options.Path)));
    }

    private static JournalOptions Options(TempDirectory dir) => new() { Path = dir.File("journal.db") };

    private static string Line(string name, int n) =>
        $$$"""{"event": "{{{name}}}", "data": {}, "timestamp": {"seconds": 1767225600, "microseconds": {{{n}}}}}""";

    private static CriticalLogRecord Record(long number, string line) =>
        new(number, "vm7", VmEventFlags.Critical, ReceivedUs, Encoding.UTF8.GetBytes(line));

    // As the log's writer would have: the journal exists (so it has an id), the records are synced, no commit followed.
    private static void WriteRecords(JournalOptions options, params CriticalLogRecord[] records)
    {
        long journalId;
        using (var journal = EventJournal.Open(options)) journalId = journal.Writer.ExecuteScalar("SELECT value FROM counters WHERE name = 'journal_id'");
        using var file = CriticalLogFile.Open(CriticalLogRecovery.LogPath(options.Path), journalId, options.CriticalLogBytes);
        long offset = CriticalLogCodec.HeaderBytes;
        var buffer = new byte[4096];
        foreach (var record in records)
        {
            int length = CriticalLogCodec.Encode(record, buffer);
            file.Write(offset, buffer.AsSpan(0, length));
            offset += length;
        }
    }

    private static void TearSecondRecord(JournalOptions options)
    {
        using var stream = File.OpenWrite(CriticalLogRecovery.LogPath(options.Path));
        stream.Position = CriticalLogCodec.HeaderBytes + 512 + 100;
        stream.Write(new byte[50]);
    }
}
