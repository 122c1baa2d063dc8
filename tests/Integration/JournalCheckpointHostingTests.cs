using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Integration.Support;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Network;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>In the host, committed events reach the database file itself once the write-ahead log holds
/// CheckpointWalBytes (1 MiB): SQLite's checkpoint runs, the WAL does not grow without bound.</summary>
public sealed class JournalCheckpointHostingTests
{
    [Fact]
    public async Task Committed_events_are_copied_into_the_database_file_once_the_wal_reaches_its_checkpoint_size()
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

        var reply = await appliance.Get<IVmCommandGateway>().ExecuteAsync("vm1", "x-load", Encoding.UTF8.GetBytes("""{"count": 60000}"""),
            CancellationToken.None);
        Assert.IsType<QmpReturn>(reply);
        await Eventually.TrueAsync(() => journal.LastCommittedSeq >= seqBefore + 60_000, "60,000 load events committed");

        // About 150 bytes of WAL per event: several checkpoints' worth. Without a checkpoint every page the rows added
        // would still sit in the -wal file and journal.db would keep its old length.
        Assert.True(new FileInfo(journal.Path).Length > fileBefore + (1 << 20),
            $"journal.db went from {fileBefore} to {new FileInfo(journal.Path).Length} bytes");
    }
}
