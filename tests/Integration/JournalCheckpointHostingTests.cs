using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Integration.Support;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Network;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>The host runs the journal's checkpointer: committed events reach the database file itself soon after
/// their commit, not only the write-ahead log (which the writer alone would copy back only at 16 MiB).</summary>
public sealed class JournalCheckpointHostingTests
{
    [Fact]
    public async Task Committed_events_are_copied_into_the_database_file_within_the_checkpoint_delay()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync(FreePort.Next(), new Dictionary<string, string?>
        {
            ["Emulator:Vms:0:Name"] = "vm1",
        });
        var journal = appliance.Get<EventJournal>();
        var board = appliance.Get<VmStatusBoard>();
        await Eventually.TrueAsync(() => board.Get("vm1") is { Monitor: MonitorState.Running }, "vm1 monitor running");
        long fileBefore = new FileInfo(journal.Path).Length;
        long seqBefore = journal.LastCommittedSeq;

        var reply = await appliance.Get<IVmCommandGateway>().ExecuteAsync("vm1", "x-load", Encoding.UTF8.GetBytes("""{"count": 20000}"""),
            CancellationToken.None);
        Assert.IsType<QmpReturn>(reply);
        await Eventually.TrueAsync(() => journal.LastCommittedSeq >= seqBefore + 20_000, "20,000 load events committed");

        // The database's size with the rows (pages in use, WAL included). Without a checkpoint every page the rows added
        // would still sit in the -wal file and journal.db would keep its old length.
        long withRows = journal.UsedBytes;
        Assert.True(withRows > fileBefore + (1 << 20), $"20,000 rows should take over 1 MiB; the journal went from {fileBefore} to {withRows} bytes");
        await Eventually.TrueAsync(() => new FileInfo(journal.Path).Length >= withRows, "the rows copied into journal.db");
    }
}
