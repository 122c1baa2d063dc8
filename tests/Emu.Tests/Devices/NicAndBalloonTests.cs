using System.Text.Json;
using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Devices;

public sealed class NicAndBalloonTests
{
    [Fact]
    public async Task Rx_filter_change_is_reported_once_until_query_rx_filter_runs()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-rx-filter");
        await client.ReturnOfAsync("x-guest-rx-filter");
        var first = await client.ExpectEventAsync<NicRxFilterChangedEvent>("NIC_RX_FILTER_CHANGED");
        Assert.Empty(await client.DrainEventsAsync());
        string filter = await client.ReturnOfAsync("query-rx-filter", "{\"name\":\"net0\"}");
        await client.ReturnOfAsync("x-guest-rx-filter");

        Assert.Equal(new NicRxFilterChangedEvent("/machine/peripheral/net0/virtio-backend", "net0"), first);
        Assert.Contains("\"main-mac\":\"52:54:00:12:34:56\"", filter, StringComparison.Ordinal);
        await client.ExpectEventsAsync("NIC_RX_FILTER_CHANGED");
    }

    [Fact]
    public async Task The_balloon_moves_toward_its_target_and_reports_the_latest_size()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("balloon", "{\"value\":536870912}");
        bed.Advance(0.1);
        var first = await client.ExpectEventAsync<BalloonChangeEvent>("BALLOON_CHANGE");
        bed.Advance(2);

        Assert.Equal((1L << 30) - (64L << 20), first.Actual);
        Assert.Equal(512L << 20, (await client.ExpectEventAsync<BalloonChangeEvent>("BALLOON_CHANGE")).Actual);
        Assert.Empty(await client.DrainEventsAsync());
        using var doc = JsonDocument.Parse(await client.ReturnOfAsync("query-balloon"));
        Assert.Equal(512L << 20, doc.RootElement.GetProperty("actual").GetInt64());
    }

    [Fact]
    public async Task A_balloon_target_must_be_positive()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        Assert.Equal("Parameter 'target' expects a size", (await client.ErrorOfAsync("balloon", "{\"value\":0}")).Description);
    }
}
