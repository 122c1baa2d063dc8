using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Machine;

public sealed class PanicTests
{
    [Fact]
    public async Task Panic_action_pause_stops_the_vm_in_status_guest_panicked()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.PanicAction = "pause");
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-panic");

        var events = await client.ExpectEventsAsync("GUEST_PANICKED", "STOP");
        Assert.Equal("pause", Assert.IsType<GuestPanickedEvent>(QmpEventCatalog.Parse(events[0])).Action);
        Assert.Equal("guest-panicked", await client.StatusAsync());
    }

    [Fact]
    public async Task Panic_action_poweroff_shuts_down_for_guest_panic()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.PanicAction = "poweroff");
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-panic");

        var events = await client.ReadUntilClosedAsync();
        Assert.Equal(["GUEST_PANICKED", "SHUTDOWN"], events.Select(e => e.Name));
        Assert.Equal(new ShutdownEvent(true, "guest-panic"), QmpEventCatalog.Parse(events[1]));
    }

    [Fact]
    public async Task Panic_action_run_only_reports_the_panic()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.PanicAction = "run");
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-panic");

        Assert.Equal("run", (await client.ExpectEventAsync<GuestPanickedEvent>("GUEST_PANICKED")).Action);
        Assert.Empty(await client.DrainEventsAsync());
        Assert.Equal("running", await client.StatusAsync());
    }

    [Fact]
    public async Task A_panicked_guest_can_be_continued()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-panic");

        await client.ReturnOfAsync("cont");

        await client.ExpectEventsAsync("GUEST_PANICKED", "STOP", "RESUME");
    }

    [Fact]
    public void Invalid_panic_action_is_a_problem_naming_the_option_and_the_allowed_values()
    {
        var problem = Assert.Single(new EmulatedVmOptions { PanicAction = "explode" }.Problems());

        Assert.Contains("PanicAction 'explode'", problem, StringComparison.Ordinal);
        Assert.Contains("pause, poweroff, run", problem, StringComparison.Ordinal);
    }
}
