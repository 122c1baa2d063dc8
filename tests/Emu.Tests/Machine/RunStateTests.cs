using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Tests.Machine;

public sealed class RunStateTests
{
    [Fact]
    public async Task The_vm_starts_in_prelaunch_like_qemu_with_minus_S()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        Assert.Equal("{\"status\":\"prelaunch\",\"singlestep\":false,\"running\":false}", await client.ReturnOfAsync("query-status"));
    }

    [Fact]
    public async Task Without_minus_S_the_vm_starts_running()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.StartPaused = false);
        var client = await bed.ConnectAsync();

        Assert.Equal("running", await client.StatusAsync());
    }

    [Fact]
    public async Task Cont_resumes_and_stop_pauses_with_RESUME_and_STOP_without_data()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        await client.ReturnOfAsync("cont");
        await client.ReturnOfAsync("stop");

        var events = await client.ExpectEventsAsync("RESUME", "STOP");
        Assert.All(events, e => Assert.False(e.HasData));
        Assert.Equal("paused", await client.StatusAsync());
    }

    [Fact]
    public async Task Stop_on_a_stopped_vm_emits_nothing()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        await client.ReturnOfAsync("stop");

        Assert.Empty(await client.DrainEventsAsync());
    }

    [Fact]
    public async Task Event_timestamps_come_from_the_time_provider()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();
        bed.Advance(3.25);

        await client.ReturnOfAsync("cont");

        var resume = (await client.ExpectEventsAsync("RESUME"))[0];
        Assert.Equal(bed.Time.GetUtcNow(), resume.Timestamp.ToDateTimeOffset());
    }

    [Fact]
    public async Task System_reset_reports_a_host_reset()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("system_reset");

        Assert.Equal(new ResetEvent(false, "host-qmp-system-reset"), await client.ExpectEventAsync<ResetEvent>("RESET"));
        Assert.Equal("running", await client.StatusAsync());
    }

    [Fact]
    public async Task Reset_of_a_paused_vm_returns_it_to_prelaunch()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("stop");

        await client.ReturnOfAsync("system_reset");

        await client.ExpectEventsAsync("STOP", "RESET");
        Assert.Equal("prelaunch", await client.StatusAsync());
    }

    [Fact]
    public async Task Powerdown_makes_an_acpi_guest_power_off_and_the_vm_ends()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("system_powerdown");
        await client.ExpectEventsAsync("POWERDOWN");
        bed.Advance(1);

        var events = await client.ReadUntilClosedAsync();
        var shutdown = Assert.IsType<ShutdownEvent>(QmpEventCatalog.Parse(Assert.Single(events)));
        Assert.Equal(new ShutdownEvent(true, "guest-shutdown"), shutdown);
        await bed.Vm.Exited.WaitAsync(QmpTestClient.Timeout);
    }

    [Fact]
    public async Task A_guest_without_acpi_ignores_the_power_button()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-acpi", "{\"aware\":false}");

        await client.ReturnOfAsync("system_powerdown");
        bed.Advance(5);

        Assert.Equal(["POWERDOWN"], (await client.DrainEventsAsync()).Select(e => e.Name));
        Assert.Equal("running", await client.StatusAsync());
    }

    [Fact]
    public async Task With_no_shutdown_a_guest_poweroff_stops_the_vm_in_status_shutdown()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.NoShutdown = true);
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("system_powerdown");
        bed.Advance(1);

        var events = await client.ExpectEventsAsync("POWERDOWN", "SHUTDOWN", "STOP");
        Assert.Equal(new ShutdownEvent(true, "guest-shutdown"), QmpEventCatalog.Parse(events[1]));
        Assert.Equal("shutdown", await client.StatusAsync());
    }

    [Fact]
    public async Task After_a_no_shutdown_stop_cont_requires_a_reset()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.NoShutdown = true);
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-poweroff");

        var error = await client.ErrorOfAsync("cont");
        await client.ReturnOfAsync("system_reset");
        await client.ReturnOfAsync("cont");

        Assert.Equal("Resetting the Virtual Machine is required", error.Description);
        await client.ExpectEventsAsync("SHUTDOWN", "STOP", "RESET", "RESUME");
        Assert.Equal("running", await client.StatusAsync());
    }

    [Fact]
    public async Task Guest_suspend_to_ram_and_wakeup()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-suspend");
        Assert.Equal("suspended", await client.StatusAsync());
        await client.ReturnOfAsync("system_wakeup");

        await client.ExpectEventsAsync("SUSPEND", "WAKEUP");
        Assert.Equal("running", await client.StatusAsync());
    }

    [Fact]
    public async Task Wakeup_of_a_guest_that_is_not_suspended_is_refused()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        var error = await client.ErrorOfAsync("system_wakeup");

        Assert.Equal(QmpErrorClass.GenericError, error.ErrorClass);
        Assert.Equal("Unable to wake up: guest is not in suspended state", error.Description);
    }

    [Fact]
    public async Task Guest_suspend_to_disk_reports_SUSPEND_DISK_then_shuts_down()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.NoShutdown = true);
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-hibernate");

        var events = await client.ExpectEventsAsync("SUSPEND_DISK", "SHUTDOWN", "STOP");
        Assert.Equal(new ShutdownEvent(true, "guest-shutdown"), QmpEventCatalog.Parse(events[1]));
    }

    [Fact]
    public async Task A_guest_reboot_is_a_guest_reset()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-reboot");

        Assert.Equal(new ResetEvent(true, "guest-reset"), await client.ExpectEventAsync<ResetEvent>("RESET"));
    }
}
