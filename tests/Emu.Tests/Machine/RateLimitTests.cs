using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Machine;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Rtc_change_goes_out_at_once_then_only_the_latest_of_a_window_when_it_ends()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-set-rtc", "{\"offset\":1}");
        await client.ReturnOfAsync("x-guest-set-rtc", "{\"offset\":2}");
        await client.ReturnOfAsync("x-guest-set-rtc", "{\"offset\":3}");
        var first = await client.ExpectEventAsync<RtcChangeEvent>("RTC_CHANGE");
        Assert.Empty(await client.DrainEventsAsync());
        bed.Advance(1);

        Assert.Equal(new RtcChangeEvent(1, "/machine/unattached/device[8]"), first);
        Assert.Equal(3, (await client.ExpectEventAsync<RtcChangeEvent>("RTC_CHANGE")).Offset);
        Assert.Empty(await client.DrainEventsAsync());
    }

    [Fact]
    public async Task After_a_quiet_window_the_next_event_goes_out_at_once_again()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-set-rtc", "{\"offset\":1}");
        await client.ExpectEventsAsync("RTC_CHANGE");

        bed.Advance(1);
        await client.ReturnOfAsync("x-guest-set-rtc", "{\"offset\":5}");

        Assert.Equal(5, (await client.ExpectEventAsync<RtcChangeEvent>("RTC_CHANGE")).Offset);
    }

    [Fact]
    public async Task Vserport_change_is_limited_per_port_id()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-serial-port", "{\"id\":\"channel0\",\"open\":true}");
        await client.ReturnOfAsync("x-guest-serial-port", "{\"id\":\"channel1\",\"open\":true}");
        await client.ReturnOfAsync("x-guest-serial-port", "{\"id\":\"channel0\",\"open\":false}");

        Assert.Equal(new VserportChangeEvent("channel0", true), await client.ExpectEventAsync<VserportChangeEvent>("VSERPORT_CHANGE"));
        Assert.Equal(new VserportChangeEvent("channel1", true), await client.ExpectEventAsync<VserportChangeEvent>("VSERPORT_CHANGE"));
        Assert.Empty(await client.DrainEventsAsync());
        bed.Advance(1);
        Assert.Equal(new VserportChangeEvent("channel0", false), await client.ExpectEventAsync<VserportChangeEvent>("VSERPORT_CHANGE"));
    }
}
