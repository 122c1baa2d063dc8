using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Gpio;
using static Appliance.Bridge.Tests.Indicators.IndicatorHarness;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class StartAndStopTests
{
    [Fact]
    public async Task Lines_start_in_their_safe_state_before_any_rule_runs()
    {
        var options = IndicatorOptions.CreateDefault();
        options.Indicators.Single(i => i.Name == "alarm-relay").SafeState = IndicatorLevel.On;
        await using var h = await StartAsync(options);

        var relay = h.Gpio.TransitionsOf(Relay);
        Assert.True(relay[0].Active, "the relay's first level is its safe state (on)");
        Assert.False(relay[^1].Active, "then the rules, with no alarm latched, switch it off");
        Assert.Equal([false], h.Gpio.TransitionsOf(Status).Select(t => t.Active));
    }

    [Fact]
    public async Task Clean_stop_returns_every_line_to_its_safe_state_and_releases_it()
    {
        var options = IndicatorOptions.CreateDefault();
        options.Indicators.Single(i => i.Name == "status").SafeState = IndicatorLevel.On;
        await using var h = await StartAsync(options);
        await h.PublishAsync("vm1", "WATCHDOG", """{"action": "reset"}""");
        await h.WaitForLevelAsync(Relay, true);

        await h.StopAsync();

        Assert.False(h.Gpio.TransitionsOf(Relay)[^1].Active);
        Assert.True(h.Gpio.TransitionsOf(Status)[^1].Active);
        Assert.False(h.Gpio.IsHeld(Relay));
        Assert.False(h.Gpio.IsHeld(Status));
    }

    [Fact]
    public async Task Busy_line_fails_start_naming_the_pin_and_its_holder()
    {
        await using var h = Create();
        h.Gpio.HoldElsewhere(Relay, "gpio-fan");

        var error = await Assert.ThrowsAsync<GpioException>(() => h.Service.StartAsync(CancellationToken.None));

        Assert.Contains("gpiochip0:2", error.Message, StringComparison.Ordinal);
        Assert.Contains("alarm-relay", error.Message, StringComparison.Ordinal);
        Assert.Contains("gpio-fan", error.Message, StringComparison.Ordinal);
        Assert.False(h.Gpio.IsHeld(Status), "lines requested before the failure are released again");
    }

    [Fact]
    public async Task Two_indicators_on_one_line_fail_start_naming_both()
    {
        var options = IndicatorOptions.CreateDefault(alarmPin: "SIM0");
        await using var h = Create(options);

        var error = await Assert.ThrowsAsync<IndicatorConfigurationException>(() => h.Service.StartAsync(CancellationToken.None));

        Assert.Contains("'alarm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'status'", error.Message, StringComparison.Ordinal);
        Assert.Contains("SIM0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_line_fails_start_naming_the_pin()
    {
        var options = IndicatorOptions.CreateDefault(relayPin: "gpiochip0:99");
        await using var h = Create(options);

        var error = await Assert.ThrowsAsync<GpioException>(() => h.Service.StartAsync(CancellationToken.None));

        Assert.Contains("gpiochip0:99", error.Message, StringComparison.Ordinal);
        Assert.Contains("64 lines", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_pin_name_fails_start_naming_pin_and_board()
    {
        var options = IndicatorOptions.CreateDefault(statusPin: "GPIO17");
        await using var h = Create(options);

        var error = await Assert.ThrowsAsync<IndicatorConfigurationException>(() => h.Service.StartAsync(CancellationToken.None));

        Assert.Contains("'GPIO17'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'sim'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Indicators:Indicators:0:Pin", error.Message, StringComparison.Ordinal);
    }
}
