using Appliance.Bridge.Journal;
using Appliance.Integration.Support;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Integration;

/// <summary>The host builds the journal writer with its critical lane, as the durability requirement expects.</summary>
public sealed class JournalCriticalLaneHostTests
{
    [Fact]
    public async Task The_running_appliance_keeps_the_critical_lanes_file_beside_its_journal()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var app = await ApplianceUnderTest.StartAsync(broker.Port, new Dictionary<string, string?> { ["Emulator:Vms:0:Name"] = "vm1" });

        Assert.NotNull(app.Get<JournalWriter>().CriticalLane);
        var file = new FileInfo(app.Get<EventJournal>().Path + JournalCriticalFile.Suffix);
        Assert.Equal(JournalCriticalLane.FileBytes, file.Length);
    }
}
