using Appliance.Bridge.Indicators;
using static Appliance.Bridge.Tests.Indicators.IndicatorHarness;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>From a QMP event line as QEMU sends it, through src/Qmp's parser and classifier and a real EventHub,
/// to the simulated line write.</summary>
public sealed class EventPathTests
{
    [Fact]
    public async Task Qmp_block_io_error_line_with_action_stop_switches_the_alarm_relay_on()
    {
        await using var h = await StartAsync();

        await h.PublishLineAsync("vm1", """{ "event": "BLOCK_IO_ERROR", "data": { "device": "ide0-hd1", "operation": "write", "action": "stop" }, "timestamp": { "seconds": 1265044230, "microseconds": 450486 } }""");

        await h.WaitForLevelAsync(Relay, true);
        Assert.Equal(["BLOCK_IO_ERROR"], h.StatusBoard.Get("vm1")!.Alarms);
    }

    [Fact]
    public async Task Qmp_stop_and_resume_lines_drive_the_status_led()
    {
        await using var h = await StartAsync();

        await h.PublishLineAsync("vm1", """{"event": "STOP", "timestamp": {"seconds": 1267041653, "microseconds": 9518}}""");
        await h.WaitForPatternAsync("status", IndicatorPattern.Blink);
        await h.PublishLineAsync("vm1", """{"event": "RESUME", "timestamp": {"seconds": 1271770767, "microseconds": 582542}}""");

        await h.WaitForPatternAsync("status", IndicatorPattern.On);
        Assert.True(h.Level(Status));
    }

    [Fact]
    public async Task Alarm_lights_while_the_journal_is_stalled()
    {
        await using var h = await StartAsync(journalCapacity: 1);
        await h.PublishAsync("vm1", "RTC_CHANGE", """{"offset": 1}""");

        var blocked = h.PublishAsync("vm1", "WATCHDOG", """{"action": "none"}""");

        await h.WaitForLevelAsync(Relay, true);
        Assert.False(blocked.IsCompleted, "the publisher still waits for the stalled journal");
        await h.Journaled.Reader.ReadAsync();
        await blocked;
    }
}
