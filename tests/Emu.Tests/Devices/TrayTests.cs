using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Devices;

public sealed class TrayTests
{
    [Fact]
    public async Task Eject_opens_an_unlocked_tray_and_close_closes_it()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("eject", "{\"id\":\"cd0\"}");
        await client.ReturnOfAsync("blockdev-close-tray", "{\"id\":\"cd0\"}");

        var events = await client.ExpectEventsAsync("DEVICE_TRAY_MOVED", "DEVICE_TRAY_MOVED");
        Assert.Equal(new DeviceTrayMovedEvent("ide1-cd0", true, "cd0"), QmpEventCatalog.Parse(events[0]));
        Assert.Equal(new DeviceTrayMovedEvent("ide1-cd0", false, "cd0"), QmpEventCatalog.Parse(events[1]));
    }

    [Fact]
    public async Task A_guest_locked_tray_refuses_eject_then_the_guest_opens_it()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-tray-lock", "{\"device\":\"cd0\",\"locked\":true}");

        var error = await client.ErrorOfAsync("eject", "{\"device\":\"ide1-cd0\"}");
        bed.Advance(1);

        Assert.Equal("Device 'ide1-cd0' is locked and force was not specified, wait for tray to open and try again", error.Description);
        Assert.True((await client.ExpectEventAsync<DeviceTrayMovedEvent>("DEVICE_TRAY_MOVED")).TrayOpen);
    }

    [Fact]
    public async Task Open_tray_with_force_ignores_the_guest_lock()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-tray-lock", "{\"device\":\"cd0\",\"locked\":true}");

        await client.ReturnOfAsync("blockdev-open-tray", "{\"id\":\"cd0\",\"force\":true}");

        Assert.True((await client.ExpectEventAsync<DeviceTrayMovedEvent>("DEVICE_TRAY_MOVED")).TrayOpen);
        Assert.Contains("\"tray_open\":true", await client.ReturnOfAsync("query-block"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fixed_disk_has_no_tray()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        Assert.Equal("Device 'drive0' is not removable", (await client.ErrorOfAsync("eject", "{\"device\":\"drive0\"}")).Description);
    }
}
