using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Gpio;
using static Appliance.Bridge.Tests.Indicators.IndicatorHarness;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class RuleTimingTests
{
    private static IndicatorOptions Lamp(params IndicatorRule[] rules) => new()
    {
        Indicators = [new() { Name = "lamp", Pin = "SIM0" }],
        Rules = [.. rules],
    };

    private static TimeSpan[] OffsetsOf(IReadOnlyList<GpioTransition> transitions) =>
        [.. transitions.Select(t => t.At - transitions[0].At)];

    [Fact]
    public async Task Blink_follows_period_and_duty()
    {
        await using var h = await StartAsync(Lamp(new IndicatorRule
        {
            Indicator = "lamp", RunStates = ["running"], Action = IndicatorAction.Blink, Period = TimeSpan.FromSeconds(1), Duty = 0.25,
        }));

        await h.ConnectAsync("vm1", "running");
        for (int i = 0; i < 39; i++) h.Time.Advance(TimeSpan.FromMilliseconds(50));

        var transitions = h.Gpio.TransitionsOf(Status).Skip(1).ToList(); // after the initial rule-less off
        Assert.Equal([true, false, true, false], transitions.Select(t => t.Active));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1250)], OffsetsOf(transitions));
    }

    [Fact]
    public async Task Pulse_lasts_its_duration()
    {
        await using var h = await StartAsync(Lamp(new IndicatorRule
        {
            Indicator = "lamp", Events = ["RESET"], Action = IndicatorAction.Pulse, Duration = TimeSpan.FromMilliseconds(200),
        }));

        await h.PublishAsync("vm1", "RESET");
        await h.WaitForLevelAsync(Status, true);
        h.Time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.True(h.Level(Status));
        h.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(h.Level(Status));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(200)], OffsetsOf([.. h.Gpio.TransitionsOf(Status).Skip(1)]));
    }

    [Fact]
    public async Task Repeated_event_restarts_the_pulse()
    {
        await using var h = await StartAsync(Lamp(new IndicatorRule
        {
            Indicator = "lamp", Events = ["RESET"], Action = IndicatorAction.Pulse, Duration = TimeSpan.FromMilliseconds(200),
        }));
        await h.PublishAsync("vm1", "RESET");
        await h.WaitForLevelAsync(Status, true);
        h.Time.Advance(TimeSpan.FromMilliseconds(150));

        await h.PublishAsync("vm1", "RESET");
        await WaitUntilAsync(() => h.Service.Applied == 2, "the second RESET is applied");
        h.Time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.True(h.Level(Status), "the second RESET extended the pulse past the first one's end");
    }

    [Fact]
    public async Task Higher_priority_rule_wins_and_the_lower_one_returns_after_it()
    {
        await using var h = await StartAsync(Lamp(
            new IndicatorRule { Name = "running", Indicator = "lamp", RunStates = ["running"], Action = IndicatorAction.On, Priority = 10 },
            new IndicatorRule { Name = "reset", Indicator = "lamp", Events = ["RESET"], Action = IndicatorAction.Blink, Duration = TimeSpan.FromSeconds(1), Priority = 50 }));
        await h.ConnectAsync("vm1", "running");

        await h.PublishAsync("vm1", "RESET");
        await h.WaitForPatternAsync("lamp", IndicatorPattern.Blink);
        h.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(("running", IndicatorPattern.On), (h.Service.Indicators.Get("lamp")!.Rule, h.Service.Indicators.Get("lamp")!.Pattern));
        Assert.True(h.Level(Status));
    }

    [Fact]
    public async Task Lower_priority_rule_firing_later_does_not_override()
    {
        await using var h = await StartAsync(Lamp(
            new IndicatorRule { Name = "running", Indicator = "lamp", RunStates = ["running"], Action = IndicatorAction.On, Priority = 10 },
            new IndicatorRule { Name = "quiet", Indicator = "lamp", Events = ["POWERDOWN"], Action = IndicatorAction.Off, Duration = TimeSpan.FromSeconds(5), Priority = 5 },
            new IndicatorRule { Name = "reset", Indicator = "lamp", Events = ["RESET"], Action = IndicatorAction.Pulse, Duration = TimeSpan.FromSeconds(1), Priority = 5 }));
        await h.ConnectAsync("vm1", "running");

        await h.PublishAsync("vm1", "POWERDOWN");
        await h.PublishAsync("vm1", "RESET");
        await h.WaitForLevelAsync(Status, true);
        await WaitUntilAsync(() => h.Service.Applied == 3, "the gap marker and both events are applied");

        Assert.Equal("running", h.Service.Indicators.Get("lamp")!.Rule);
    }

    [Fact]
    public async Task Equal_priority_goes_to_the_most_recent_rule()
    {
        await using var h = await StartAsync(Lamp(
            new IndicatorRule { Name = "running", Indicator = "lamp", RunStates = ["running"], Action = IndicatorAction.On, Priority = 10 },
            new IndicatorRule { Name = "quiet", Indicator = "lamp", Events = ["POWERDOWN"], Action = IndicatorAction.Off, Duration = TimeSpan.FromSeconds(5), Priority = 10 }));
        await h.ConnectAsync("vm1", "running");

        await h.PublishAsync("vm1", "POWERDOWN");

        await h.WaitForLevelAsync(Status, false);
        Assert.Equal("quiet", h.Service.Indicators.Get("lamp")!.Rule);
    }

    [Fact]
    public async Task Manual_override_beats_every_rule_until_cleared()
    {
        await using var h = await StartAsync();
        await h.ConnectAsync("vm1", "running");

        h.Service.Override("status", IndicatorAction.Off);
        Assert.False(h.Level(Status));
        h.Service.Override("status", null);

        Assert.True(h.Level(Status));
    }
}
