using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Machine;

public sealed class WatchdogTests
{
    private static async Task<(EmulatorTestBed Bed, QmpTestClient Client)> HungGuestAsync(string action, bool noShutdown = false)
    {
        var bed = await EmulatorTestBed.StartAsync(o =>
        {
            o.WatchdogAction = action;
            o.NoShutdown = noShutdown;
        });
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-watchdog", "{\"timeout\":10}");
        await client.ReturnOfAsync("x-guest-hang");
        return (bed, client);
    }

    [Fact]
    public async Task A_guest_that_keeps_petting_never_trips_the_watchdog()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-watchdog", "{\"timeout\":10}");

        bed.Advance(120);

        Assert.Empty(await client.DrainEventsAsync());
    }

    [Fact]
    public async Task The_watchdog_fires_one_timeout_after_the_guest_hangs()
    {
        var (bed, client) = await HungGuestAsync("none");
        await using var _ = bed;

        bed.Advance(9.9);
        Assert.Empty(await client.DrainEventsAsync());
        bed.Advance(0.1);

        Assert.Equal(new WatchdogEvent("none"), await client.ExpectEventAsync<WatchdogEvent>("WATCHDOG"));
    }

    [Fact]
    public async Task Action_reset_resets_the_guest()
    {
        var (bed, client) = await HungGuestAsync("reset");
        await using var _ = bed;

        bed.Advance(10);

        var events = await client.ExpectEventsAsync("WATCHDOG", "RESET");
        Assert.Equal(new WatchdogEvent("reset"), QmpEventCatalog.Parse(events[0]));
        Assert.Equal(new ResetEvent(true, "guest-reset"), QmpEventCatalog.Parse(events[1]));
    }

    [Fact]
    public async Task Action_pause_stops_the_vm_in_status_watchdog()
    {
        var (bed, client) = await HungGuestAsync("pause");
        await using var _ = bed;

        bed.Advance(10);

        await client.ExpectEventsAsync("WATCHDOG", "STOP");
        Assert.Equal("watchdog", await client.StatusAsync());
    }

    [Fact]
    public async Task Action_shutdown_presses_the_power_button()
    {
        var (bed, client) = await HungGuestAsync("shutdown");
        await using var _ = bed;

        bed.Advance(10);

        await client.ExpectEventsAsync("WATCHDOG", "POWERDOWN");
    }

    [Fact]
    public async Task Action_poweroff_shuts_the_vm_down()
    {
        var (bed, client) = await HungGuestAsync("poweroff", noShutdown: true);
        await using var _ = bed;

        bed.Advance(10);

        await client.ExpectEventsAsync("WATCHDOG", "SHUTDOWN", "STOP");
    }

    [Fact]
    public async Task Watchdog_set_action_changes_what_the_next_expiry_does()
    {
        var (bed, client) = await HungGuestAsync("reset");
        await using var _ = bed;

        await client.ReturnOfAsync("watchdog-set-action", "{\"action\":\"inject-nmi\"}");
        bed.Advance(10);

        Assert.Equal(new WatchdogEvent("inject-nmi"), await client.ExpectEventAsync<WatchdogEvent>("WATCHDOG"));
        Assert.Equal("running", await client.StatusAsync());
    }

    [Fact]
    public async Task Repeated_expiries_are_rate_limited_to_one_per_second_keeping_the_latest()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.WatchdogAction = "debug");
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-watchdog", "{\"timeout\":0}");
        await client.ReturnOfAsync("x-guest-hang");
        await client.ReturnOfAsync("x-guest-watchdog", "{\"timeout\":1}");

        bed.Advance(1);
        await client.ExpectEventsAsync("WATCHDOG");
        bed.Advance(0.999);
        Assert.Empty(await client.DrainEventsAsync());
        bed.Advance(0.001);

        await client.ExpectEventsAsync("WATCHDOG");
    }

    [Fact]
    public async Task A_stopped_vm_trips_its_watchdog_only_after_it_runs_again()
    {
        var (bed, client) = await HungGuestAsync("reset");
        await using var _ = bed;
        await client.ReturnOfAsync("stop");

        bed.Advance(30);
        Assert.Equal(["STOP"], (await client.DrainEventsAsync()).Select(e => e.Name));
        await client.ReturnOfAsync("cont");
        bed.Advance(10);

        await client.ExpectEventsAsync("RESUME", "WATCHDOG", "RESET");
    }
}
