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

/// <summary>The status document as scripts read it (<c>status --json</c>, jq): plain JSON types, nothing escaped
/// that JSON does not require.</summary>
public sealed class StatusJsonTests
{
    private static VmEvent Event(string line, string vm = "web") =>
        new(vm, (QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes(line)), DateTimeOffset.Parse("2026-12-06T04:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture), VmEventFlags.None);

    [Fact]
    public async Task Recent_event_data_is_an_object_and_plus_signs_are_not_escaped()
    {
        var hub = new EventHub();
        var recent = new RecentEventsSection(hub);
        await recent.StartAsync(CancellationToken.None);
        await hub.PublishAsync(Event("""{"timestamp": {"seconds": 1700000002, "microseconds": 3}, "event": "RESET", "data": {"guest": true, "reason": "watchdog"}}"""));
        var status = new StatusDocument([recent], TimeProvider.System, new ApplianceOptions { Node = "box1" });
        await Eventually.TrueAsync(() => Encoding.UTF8.GetString(status.Build()).Contains("RESET", StringComparison.Ordinal), "the event reached the section");
        byte[] json = status.Build();
        hub.Complete();
        await recent.StopAsync(CancellationToken.None);

        string text = Encoding.UTF8.GetString(json);
        Assert.DoesNotContain("\\u002B", text, StringComparison.Ordinal);
        Assert.Contains("+00:00", text, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        var data = Assert.Single(doc.RootElement.GetProperty("recent-events").EnumerateArray()).GetProperty("data");
        Assert.Equal(JsonValueKind.Object, data.ValueKind);
        Assert.Equal("watchdog", data.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Journal_rows_count_the_table_and_rate_is_a_number()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db") };
        await WriteAsync(options, 2);
        using var journal = EventJournal.Open(options);
        var hub = new EventHub();
        using var writer = new JournalWriter(journal, hub.Subscribe("journal", EventDelivery.Lossless), options);
        await writer.StartAsync(CancellationToken.None);
        await hub.PublishAsync(Event("""{"timestamp": {"seconds": 1700000003, "microseconds": 0}, "event": "STOP"}"""));
        await Eventually.TrueAsync(() => journal.LastCommittedSeq == 3, "the third row committed");
        var status = new StatusDocument([new JournalStatusSection(journal, writer, TimeProvider.System)], TimeProvider.System, new ApplianceOptions { Node = "box1" });
        using var doc = JsonDocument.Parse(status.Build());
        hub.Complete();
        await writer.StopAsync(CancellationToken.None);

        var section = doc.RootElement.GetProperty("journal");
        Assert.Equal(3, section.GetProperty("rows").GetInt64());
        Assert.Equal(1, section.GetProperty("written").GetInt64());
        Assert.Equal(JsonValueKind.Number, section.GetProperty("rate").ValueKind);
    }

    private static async Task WriteAsync(JournalOptions options, int count)
    {
        using var journal = EventJournal.Open(options);
        var hub = new EventHub();
        using var writer = new JournalWriter(journal, hub.Subscribe("journal", EventDelivery.Lossless), options);
        await writer.StartAsync(CancellationToken.None);
        for (int i = 0; i < count; i++) await hub.PublishAsync(Event($$"""{"timestamp": {"seconds": {{1700000000 + i}}, "microseconds": 0}, "event": "RESUME"}"""));
        await Eventually.TrueAsync(() => journal.LastCommittedSeq == count, "the rows committed");
        hub.Complete();
        await writer.StopAsync(CancellationToken.None);
    }
}
