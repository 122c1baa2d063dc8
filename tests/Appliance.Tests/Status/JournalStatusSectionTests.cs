using System.Text;
using System.Text.Json;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Configuration;
using Appliance.Host.Status;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Waiting;

namespace Appliance.Tests.Status;

public sealed class JournalStatusSectionTests
{
    [Fact]
    public async Task The_journal_section_counts_a_critical_commit_as_flushed_once_its_sync_returned()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db") };
        using var journal = EventJournal.Open(options);
        var hub = new EventHub();
        using var writer = new JournalWriter(journal, hub.Subscribe("journal", EventDelivery.Lossless), options);
        await writer.StartAsync(CancellationToken.None);
        await hub.PublishAsync(Watchdog());
        // A critical commit is reported once its sync has returned.
        await journal.WaitForCommitAsync(0, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        // The writer counts the commit before it publishes the new last seq: wait for both.
        await Eventually.TrueAsync(() => writer.Counters.Batches == 1 && journal.LastCommittedSeq == 1, "the commit counted and published");
        var status = new StatusDocument([new JournalStatusSection(journal, writer, TimeProvider.System)], TimeProvider.System, new ApplianceOptions { Node = "box1" });
        using var doc = JsonDocument.Parse(status.Build());
        hub.Complete();
        await writer.StopAsync(CancellationToken.None);

        var section = doc.RootElement.GetProperty("journal");
        Assert.Equal((1, 1), (section.GetProperty("rows").GetInt64(), section.GetProperty("batches").GetInt64()));
    }
    [Fact]
    public async Task The_journal_section_shows_the_syncs_and_the_critical_lanes_counts()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db") };
        using var journal = EventJournal.Open(options);
        var hub = new EventHub();
        using var writer = new JournalWriter(journal, hub, options, Microsoft.Extensions.Logging.Abstractions.NullLogger<JournalWriter>.Instance, TimeProvider.System);
        await writer.StartAsync(CancellationToken.None);

        // Held: the lane writes its record before the commit, so the counts are known.
        using (writer.Hold())
        {
            await hub.PublishAsync(Watchdog());
            await Eventually.TrueAsync(() => writer.CriticalLaneCounts?.Written == 1, "the lane's record");
        }
        await Eventually.TrueAsync(() => writer.Counters.Syncs == 1, "the critical commit synced");
        var status = new StatusDocument([new JournalStatusSection(journal, writer, TimeProvider.System)], TimeProvider.System, new ApplianceOptions { Node = "box1" });
        using var doc = JsonDocument.Parse(status.Build());
        hub.Complete();
        await writer.StopAsync(CancellationToken.None);

        var section = doc.RootElement.GetProperty("journal");
        Assert.Equal(1, section.GetProperty("syncs").GetInt64());
        Assert.Equal((1, 0), (section.GetProperty("critical-lane-written").GetInt64(), section.GetProperty("critical-lane-skipped").GetInt64()));
    }

    private static VmEvent Watchdog() => new("db", (QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes(
        """{"timestamp": {"seconds": 1700000001, "microseconds": 2}, "event": "WATCHDOG", "data": {"action": "reset"}}""")),
        DateTimeOffset.UtcNow, VmEventFlags.Critical);
}
