using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Tests.Devices;

public sealed class HotplugTests
{
    [Fact]
    public async Task A_pci_device_is_deleted_once_the_guest_acknowledges()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("device_add", "{\"driver\":\"virtio-net-pci\",\"id\":\"net1\",\"mac\":\"52:54:00:00:00:01\"}");

        await client.ReturnOfAsync("device_del", "{\"id\":\"net1\"}");
        Assert.Empty(await client.DrainEventsAsync());
        bed.Advance(1);

        var events = await client.ExpectEventsAsync("DEVICE_DELETED", "DEVICE_DELETED");
        Assert.Equal(new DeviceDeletedEvent("/machine/peripheral/net1/virtio-backend"), QmpEventCatalog.Parse(events[0]));
        Assert.Equal(new DeviceDeletedEvent("/machine/peripheral/net1", "net1"), QmpEventCatalog.Parse(events[1]));
    }

    [Fact]
    public async Task A_paused_guest_acknowledges_the_unplug_only_after_it_runs_again()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();
        await client.ReturnOfAsync("device_add", "{\"driver\":\"e1000\",\"id\":\"nic9\"}");
        await client.ReturnOfAsync("device_del", "{\"id\":\"nic9\"}");

        bed.Advance(5);
        Assert.Empty(await client.DrainEventsAsync());
        await client.ReturnOfAsync("cont");
        bed.Advance(1);

        await client.ExpectEventsAsync("RESUME", "DEVICE_DELETED");
    }

    [Fact]
    public async Task A_usb_device_is_deleted_right_after_the_reply_without_the_guest()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("device_add", "{\"driver\":\"usb-tablet\",\"id\":\"tab0\"}");
        await client.ReturnOfAsync("x-guest-hang");

        await client.ReturnOfAsync("device_del", "{\"id\":\"tab0\"}");
        Assert.Empty(await client.DrainEventsAsync());
        bed.Advance(0.001); // the main loop's next turn

        Assert.Equal(new DeviceDeletedEvent("/machine/peripheral/tab0", "tab0"), await client.ExpectEventAsync<DeviceDeletedEvent>("DEVICE_DELETED"));
    }

    [Fact]
    public async Task A_dimm_unplug_refused_by_the_guest_reports_ost_MEM_UNPLUG_ERROR_and_DEVICE_UNPLUG_GUEST_ERROR()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm1\",\"memdev\":\"mem1\"}");

        await client.ReturnOfAsync("device_del", "{\"id\":\"dimm1\"}");
        bed.Advance(1);

        var events = await client.ExpectEventsAsync("ACPI_DEVICE_OST", "MEM_UNPLUG_ERROR", "DEVICE_UNPLUG_GUEST_ERROR");
        Assert.Equal(new AcpiOstInfo("DIMM", "0", 3, 1, "dimm1"), Assert.IsType<AcpiDeviceOstEvent>(QmpEventCatalog.Parse(events[0])).Info);
        Assert.Contains("\"data\": {\"info\": {", events[0].RawText, StringComparison.Ordinal);
        Assert.Equal("dimm1", Assert.IsType<MemUnplugErrorEvent>(QmpEventCatalog.Parse(events[1])).Device);
        Assert.Equal(new DeviceUnplugGuestErrorEvent("/machine/peripheral/dimm1", "dimm1"), QmpEventCatalog.Parse(events[2]));
    }

    [Fact]
    public async Task A_dimm_the_guest_refused_to_release_stays_plugged()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm1\"}");
        await client.ReturnOfAsync("device_del", "{\"id\":\"dimm1\"}");
        bed.Advance(1);
        await client.ExpectEventsAsync("ACPI_DEVICE_OST", "MEM_UNPLUG_ERROR", "DEVICE_UNPLUG_GUEST_ERROR");

        var error = await client.ErrorOfAsync("device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm1\"}");

        Assert.Equal("Duplicate device ID 'dimm1'", error.Description);
    }

    [Fact]
    public async Task A_dimm_the_guest_releases_reports_ost_success_then_deletion()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-memory-unplug", "{\"refuse\":false}");
        await client.ReturnOfAsync("device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm2\"}");

        await client.ReturnOfAsync("device_del", "{\"id\":\"dimm2\"}");
        bed.Advance(1);

        var events = await client.ExpectEventsAsync("ACPI_DEVICE_OST", "DEVICE_DELETED");
        Assert.Equal(0, Assert.IsType<AcpiDeviceOstEvent>(QmpEventCatalog.Parse(events[0])).Info.Status);
    }

    [Fact]
    public async Task Deleting_an_unknown_device_is_DeviceNotFound()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        var error = await client.ErrorOfAsync("device_del", "{\"id\":\"ghost\"}");

        Assert.Equal(QmpErrorClass.DeviceNotFound, error.ErrorClass);
        Assert.Equal("Device 'ghost' not found", error.Description);
    }

    [Fact]
    public async Task Device_add_refuses_unknown_models_and_duplicate_ids()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("device_add", "{\"driver\":\"e1000\",\"id\":\"n\"}");

        Assert.Equal("'flux-capacitor' is not a valid device model name",
            (await client.ErrorOfAsync("device_add", "{\"driver\":\"flux-capacitor\"}")).Description);
        Assert.Equal("Duplicate device ID 'n'", (await client.ErrorOfAsync("device_add", "{\"driver\":\"e1000\",\"id\":\"n\"}")).Description);
    }
}
