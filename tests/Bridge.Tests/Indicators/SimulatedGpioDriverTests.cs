using System.Device.Gpio;
using GpioPin = Appliance.Bridge.Indicators.Gpio.GpioPin;
using Appliance.Bridge.Indicators.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>The simulated driver, used as the indicators use every driver: through a <see cref="GpioController"/>.</summary>
public sealed class SimulatedGpioDriverTests
{
    private static readonly GpioPin Pin = new("gpiochip0", 5);
    private readonly FakeTimeProvider _time = new();
    private readonly SimulatedGpioChips _chips;

    public SimulatedGpioDriverTests() => _chips = new SimulatedGpioChips(_time);

    private GpioController Controller(params GpioLineSettings[] lines) => new(new SimulatedGpioDriver(_chips, new GpioLineMap(lines)));

    [Fact]
    public void Every_transition_is_recorded_with_its_time()
    {
        using var gpio = Controller(new GpioLineSettings(Pin, "lamp"));
        gpio.OpenPin(0, PinMode.Output, PinValue.Low);

        _time.Advance(TimeSpan.FromSeconds(3));
        gpio.Write(0, PinValue.High);
        gpio.Write(0, PinValue.High);

        Assert.Equal([(false, TimeSpan.Zero), (true, TimeSpan.FromSeconds(3))],
            _chips.TransitionsOf(Pin).Select(t => (t.Active, t.At - _time.Start)));
    }

    [Fact]
    public void Transition_log_keeps_only_the_newest()
    {
        using var gpio = Controller(new GpioLineSettings(Pin, "lamp"));
        gpio.OpenPin(0, PinMode.Output, PinValue.Low);

        for (int i = 0; i < SimulatedGpioChips.TransitionCapacity + 10; i++) gpio.Write(0, i % 2 == 0 ? PinValue.High : PinValue.Low);

        Assert.Equal(SimulatedGpioChips.TransitionCapacity, _chips.Transitions.Count);
    }

    [Fact]
    public void Output_starts_at_its_initial_value_without_a_glitch()
    {
        using var gpio = Controller(new GpioLineSettings(Pin, "relay", ActiveLow: true));

        gpio.OpenPin(0, PinMode.Output, PinValue.High);

        Assert.Equal([true], _chips.TransitionsOf(Pin).Select(t => t.Active));
    }

    [Fact]
    public void Second_request_for_a_line_is_busy_with_the_appliance_as_holder()
    {
        using var first = Controller(new GpioLineSettings(Pin, "lamp"));
        first.OpenPin(0, PinMode.Output, PinValue.Low);
        using var second = Controller(new GpioLineSettings(Pin, "buzzer"));

        var error = Assert.Throws<GpioException>(() => second.OpenPin(0, PinMode.Output, PinValue.Low));

        Assert.Contains("'buzzer'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'appliance'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Closed_pin_can_be_requested_again()
    {
        using (var gpio = Controller(new GpioLineSettings(Pin, "lamp")))
        {
            gpio.OpenPin(0, PinMode.Output, PinValue.Low);
            gpio.ClosePin(0);
            Assert.False(_chips.IsHeld(Pin));
        }

        using var again = Controller(new GpioLineSettings(Pin, "lamp"));
        again.OpenPin(0, PinMode.Output, PinValue.High);

        Assert.True(_chips.LevelOf(Pin));
    }

    [Fact]
    public void Disposing_the_controller_releases_every_line()
    {
        var gpio = Controller(new GpioLineSettings(Pin, "lamp"), new GpioLineSettings(new GpioPin("gpiochip0", 6), "button"));
        gpio.OpenPin(0, PinMode.Output, PinValue.Low);
        gpio.OpenPin(1, PinMode.Input);

        gpio.Dispose();

        Assert.False(_chips.IsHeld(Pin));
        Assert.False(_chips.IsHeld(new GpioPin("gpiochip0", 6)));
    }

    [Fact]
    public void Pin_given_by_chip_label_is_the_simulated_chip()
    {
        using var gpio = Controller(new GpioLineSettings(new GpioPin(SimulatedGpioChips.ChipLabel, 5), "lamp"));

        gpio.OpenPin(0, PinMode.Output, PinValue.High);

        Assert.True(_chips.LevelOf(Pin));
    }

    [Fact]
    public void Pin_number_outside_the_line_map_is_refused()
    {
        using var gpio = Controller(new GpioLineSettings(Pin, "lamp"));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => gpio.OpenPin(1));

        Assert.Contains("pin number 1 is not mapped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_an_input_drives_nothing()
    {
        using var gpio = Controller(new GpioLineSettings(Pin, "button"));
        gpio.OpenPin(0, PinMode.Input);

        gpio.Write(0, PinValue.High);

        Assert.Empty(_chips.TransitionsOf(Pin));
        Assert.False(_chips.DescribeChips()[0].Lines[5].Output);
    }

    [Fact]
    public void Bouncing_contact_gives_one_edge_once_stable_for_the_debounce_period()
    {
        using var gpio = Controller(new GpioLineSettings(Pin, "button", Debounce: TimeSpan.FromMilliseconds(30)));
        gpio.OpenPin(0, PinMode.Input);
        var edges = new List<PinValueChangedEventArgs>();
        gpio.RegisterCallbackForPinValueChangedEvent(0, PinEventTypes.Rising | PinEventTypes.Falling, (_, e) => edges.Add(e));

        _chips.Press(Pin);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        _chips.Release(Pin);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        _chips.Press(Pin);
        _time.Advance(TimeSpan.FromMilliseconds(29));
        Assert.Empty(edges);
        long before = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var edge = Assert.IsType<GpioEdgeEventArgs>(Assert.Single(edges));
        Assert.Equal(PinEventTypes.Rising, edge.ChangeType);
        Assert.Equal(0, edge.PinNumber);
        Assert.True(edge.Timestamp > before, "the edge carries the time it settled");
        Assert.Equal(PinValue.High, gpio.Read(0));
    }

    [Fact]
    public void Press_shorter_than_the_debounce_period_gives_no_edge()
    {
        using var gpio = Controller(new GpioLineSettings(Pin, "button", Debounce: TimeSpan.FromMilliseconds(30)));
        gpio.OpenPin(0, PinMode.Input);
        int edges = 0;
        gpio.RegisterCallbackForPinValueChangedEvent(0, PinEventTypes.Rising | PinEventTypes.Falling, (_, _) => edges++);

        _chips.Press(Pin);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        _chips.Release(Pin);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(0, edges);
        Assert.Equal(PinValue.Low, gpio.Read(0));
    }

    [Fact]
    public async Task Waiting_for_an_edge_returns_the_edge()
    {
        using var gpio = Controller(new GpioLineSettings(Pin, "button"));
        gpio.OpenPin(0, PinMode.Input);

        var wait = gpio.WaitForEventAsync(0, PinEventTypes.Rising, CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);
        _chips.Press(Pin);
        var result = await wait.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(result.TimedOut);
        Assert.Equal(PinEventTypes.Rising, result.EventTypes);
    }

    [Fact]
    public async Task Waiting_for_an_edge_that_never_comes_times_out()
    {
        using var gpio = Controller(new GpioLineSettings(Pin, "button"));
        gpio.OpenPin(0, PinMode.Input);
        using var cancel = new CancellationTokenSource();

        var wait = gpio.WaitForEventAsync(0, PinEventTypes.Rising, cancel.Token).AsTask();
        await cancel.CancelAsync();

        Assert.True((await wait.WaitAsync(TimeSpan.FromSeconds(10))).TimedOut);
    }

    [Fact]
    public void Edges_are_refused_on_an_output()
    {
        using var gpio = Controller(new GpioLineSettings(Pin, "lamp"));
        gpio.OpenPin(0, PinMode.Output, PinValue.Low);

        Assert.Throws<InvalidOperationException>(() => gpio.RegisterCallbackForPinValueChangedEvent(0, PinEventTypes.Rising, (_, _) => { }));
    }
}
