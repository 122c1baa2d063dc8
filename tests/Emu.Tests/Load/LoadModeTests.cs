using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Tests.Load;

public sealed class LoadModeTests
{
    [Fact]
    public async Task X_load_replies_then_emits_exactly_the_requested_number_of_valid_events()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        await client.ReturnOfAsync("x-load", "{\"count\":20000}");
        var events = new List<QmpEvent>();
        for (int i = 0; i < 20_000; i++)
        {
            events.Add(Assert.IsType<QmpEvent>(QmpMessageParser.Parse((await client.ReadLineAsync())!)));
        }

        Assert.All(events, e => Assert.True(QmpEventCatalog.TryParse(e, out var data, out _) && data is BalloonChangeEvent));
        Assert.Equal(bed.Time.GetUtcNow(), events[^1].Timestamp.ToDateTimeOffset());
        Assert.Equal("{\"name\":\"test-vm\"}", await client.ReturnOfAsync("query-name"));
    }

    [Fact]
    public async Task X_load_refuses_a_count_out_of_range()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        var error = await client.ErrorOfAsync("x-load", "{\"count\":0}");

        Assert.StartsWith("Parameter 'count' expects 1 to", error.Description, StringComparison.Ordinal);
    }
}
