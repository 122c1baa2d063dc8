using System.Device.Gpio;
using GpioPin = Appliance.Bridge.Indicators.Gpio.GpioPin;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class GpioCommandsTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly BoardProfile _sim = BoardCatalog.Load([]).Get("sim");

    [Fact]
    public void List_shows_chips_and_the_holder_of_each_line()
    {
        var chips = new SimulatedGpioChips(_time);
        chips.HoldElsewhere(new GpioPin("gpiochip0", 7), "gpio-fan");
        var lines = new GpioLineMap([new GpioLineSettings(new GpioPin("gpiochip0", 2), "alarm")]);
        using var gpio = new GpioController(new SimulatedGpioDriver(chips, lines));
        gpio.OpenPin(0, PinMode.Output, PinValue.Low);

        var text = GpioCommands.List(chips.DescribeChips());

        Assert.Contains("gpiochip0 [gpio-sim] (64 lines)", text, StringComparison.Ordinal);
        Assert.Matches(@"line\s+2: .*""appliance"".*used output", text);
        Assert.Matches(@"line\s+7: .*""gpio-fan"".*used", text);
    }

    [Fact]
    public async Task Test_walks_each_indicator_on_then_off_naming_it()
    {
        var chips = new SimulatedGpioChips(_time);
        var output = new StringWriter();

        await GpioCommands.TestAsync(IndicatorOptions.CreateDefault(), _sim, GpioDrivers.For(_sim, chips), output, TimeSpan.Zero, _time, CancellationToken.None);

        var text = output.ToString();
        Assert.True(text.IndexOf("status (", StringComparison.Ordinal) < text.IndexOf("alarm (", StringComparison.Ordinal));
        Assert.Contains("alarm-relay (Relay, pin RELAY = gpiochip0:2): on", text, StringComparison.Ordinal);
        Assert.Equal([false, true, false], chips.TransitionsOf(new GpioPin("gpiochip0", 2)).Select(t => t.Active));
        Assert.False(chips.IsHeld(new GpioPin("gpiochip0", 2)));
    }

    [Fact]
    public async Task Set_blink_blinks_until_released_then_returns_to_the_safe_state()
    {
        var chips = new SimulatedGpioChips(_time);
        using var hold = new CancellationTokenSource();
        var pin = new GpioPin("gpiochip0", 0);

        var set = GpioCommands.SetAsync(IndicatorOptions.CreateDefault(), _sim, GpioDrivers.For(_sim, chips), "status", "blink", _time, hold.Token);
        // One step per half period: the blink re-arms its timer from its callback, and the fake clock fires
        // a timer armed during an Advance only at a later Advance.
        _time.Advance(TimeSpan.FromMilliseconds(500));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await hold.CancelAsync();
        await set;

        Assert.Equal([false, true, false, true, false], chips.TransitionsOf(pin).Select(t => t.Active));
        Assert.False(chips.IsHeld(pin));
    }

    [Fact]
    public async Task Set_with_an_unknown_mode_names_the_allowed_ones()
    {
        var error = await Assert.ThrowsAsync<IndicatorConfigurationException>(() =>
            GpioCommands.SetAsync(IndicatorOptions.CreateDefault(), _sim, GpioDrivers.For(_sim), "status", "dim", _time, CancellationToken.None));

        Assert.Equal("mode 'dim' is not valid; allowed: on, off, blink", error.Message);
    }
}
