using Appliance.Bridge.Indicators;
using static Appliance.Bridge.Tests.Indicators.IndicatorHarness;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>Run-state rules follow the run state each event carries (worked out once, by the monitor).</summary>
public sealed class RunStateRuleTests
{
    [Fact]
    public async Task Status_led_is_solid_while_the_vm_runs()
    {
        await using var h = await StartAsync();

        await h.ConnectAsync("vm1", "running");

        Assert.True(h.Level(Status));
        Assert.Equal(IndicatorPattern.On, h.Service.Indicators.Get("status")!.Pattern);
    }

    [Fact]
    public async Task Status_led_blinks_slowly_while_the_vm_is_paused()
    {
        await using var h = await StartAsync();
        await h.ConnectAsync("vm1", "paused");
        Assert.Equal(IndicatorPattern.Blink, h.Service.Indicators.Get("status")!.Pattern);

        var levels = new List<bool?> { h.Level(Status) };
        for (int i = 0; i < 4; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            levels.Add(h.Level(Status));
        }

        Assert.Equal([true, false, true, false, true], levels);
    }

    [Fact]
    public async Task Status_led_is_off_after_shutdown()
    {
        await using var h = await StartAsync();
        await h.ConnectAsync("vm1", "running");

        await h.PublishAsync("vm1", "SHUTDOWN", """{"guest": true, "reason": "guest-shutdown"}""");

        await h.WaitForLevelAsync(Status, false);
        Assert.Equal(IndicatorPattern.Off, h.Service.Indicators.Get("status")!.Pattern);
    }

    [Fact]
    public async Task Stop_event_makes_the_status_led_blink()
    {
        await using var h = await StartAsync();
        await h.ConnectAsync("vm1", "running");

        await h.PublishAsync("vm1", "STOP");

        await h.WaitForPatternAsync("status", IndicatorPattern.Blink);
    }

    [Fact]
    public async Task Stop_caused_by_an_io_error_is_not_paused_so_the_paused_rule_lets_go()
    {
        await using var h = await StartAsync();
        await h.ConnectAsync("vm1", "running");

        await h.PublishAsync("vm1", "BLOCK_IO_ERROR", """{"device": "d", "operation": "write", "action": "stop"}""");
        await h.PublishAsync("vm1", "STOP");

        await h.WaitForPatternAsync("status", IndicatorPattern.Off);
    }

    [Fact]
    public async Task A_change_seen_without_an_event_reaches_the_lamp_with_the_next_event()
    {
        await using var h = await StartAsync();
        await h.ConnectAsync("vm1", "running");

        h.ObserveRunState("vm1", "paused");
        Assert.Equal(IndicatorPattern.On, h.Service.Indicators.Get("status")!.Pattern);
        await h.PublishAsync("vm1", "RTC_CHANGE", """{"offset": 1}""");

        await h.WaitForPatternAsync("status", IndicatorPattern.Blink);
    }

    [Fact]
    public async Task Removed_vm_no_longer_holds_the_status_led()
    {
        await using var h = await StartAsync();
        await h.ConnectAsync("vm1", "running");

        h.StatusBoard.Remove("vm1");

        Assert.False(h.Level(Status));
    }

    [Fact]
    public async Task Status_changes_raise_the_changed_notification()
    {
        await using var h = await StartAsync();
        var seen = new List<IndicatorState>();
        h.Service.Indicators.Changed += state =>
        {
            lock (seen) seen.Add(state);
        };

        await h.ConnectAsync("vm1", "running");

        lock (seen)
        {
            var state = Assert.Single(seen);
            Assert.Equal(("status", IndicatorPattern.On, "status-running"), (state.Name, state.Pattern, state.Rule));
        }
    }

    [Fact]
    public async Task Status_led_moves_from_running_to_paused_without_an_off_in_between()
    {
        await using var h = await StartAsync();
        await h.ConnectAsync("vm1", "running");
        var patterns = new List<IndicatorPattern>();
        h.Service.Indicators.Changed += state =>
        {
            if (state.Name == "status") lock (patterns) patterns.Add(state.Pattern);
        };

        await h.PublishAsync("vm1", "STOP");
        await h.WaitForPatternAsync("status", IndicatorPattern.Blink);
        await h.PublishAsync("vm1", "RESUME");
        await h.WaitForPatternAsync("status", IndicatorPattern.On);

        lock (patterns) Assert.Equal([IndicatorPattern.Blink, IndicatorPattern.On], patterns);
    }
}
