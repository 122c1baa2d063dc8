using Appliance.Bridge.Indicators.Gpio;
using Appliance.TestSupport.Time;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class SimulatedGpioDriverTests
{
    private static readonly GpioPin Pin = new("gpiochip0", 5);
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void Every_transition_is_recorded_with_its_time()
    {
        var driver = new SimulatedGpioDriver(_time);
        using var line = driver.OpenOutput(new GpioLineSettings(Pin, "lamp"), false);

        _time.Advance(TimeSpan.FromSeconds(3));
        line.Write(true);
        line.Write(true);

        Assert.Equal([(false, TimeSpan.Zero), (true, TimeSpan.FromSeconds(3))],
            driver.TransitionsOf(Pin).Select(t => (t.Active, t.At - new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))));
    }

    [Fact]
    public void Transition_log_keeps_only_the_newest()
    {
        var driver = new SimulatedGpioDriver(_time);
        using var line = driver.OpenOutput(new GpioLineSettings(Pin, "lamp"), false);

        for (int i = 0; i < SimulatedGpioDriver.TransitionCapacity + 10; i++) line.Write(i % 2 == 0);

        Assert.Equal(SimulatedGpioDriver.TransitionCapacity, driver.Transitions.Count);
    }

    [Fact]
    public void Second_request_for_a_line_is_busy_with_the_appliance_as_holder()
    {
        var driver = new SimulatedGpioDriver(_time);
        using var first = driver.OpenOutput(new GpioLineSettings(Pin, "lamp"), false);

        var error = Assert.Throws<GpioException>(() => driver.OpenOutput(new GpioLineSettings(Pin, "buzzer"), false));

        Assert.Contains("'buzzer'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'appliance'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Released_line_can_be_requested_again()
    {
        var driver = new SimulatedGpioDriver(_time);
        driver.OpenOutput(new GpioLineSettings(Pin, "lamp"), false).Dispose();

        using var again = driver.OpenOutput(new GpioLineSettings(Pin, "lamp"), true);

        Assert.True(driver.LevelOf(Pin));
    }

    [Fact]
    public void Pin_given_by_chip_label_is_the_simulated_chip()
    {
        var driver = new SimulatedGpioDriver(_time);

        using var line = driver.OpenOutput(new GpioLineSettings(new GpioPin(SimulatedGpioDriver.ChipLabel, 5), "lamp"), true);

        Assert.True(driver.LevelOf(Pin));
    }

    [Fact]
    public async Task Bouncing_contact_gives_one_edge_once_stable_for_the_debounce_period()
    {
        var driver = new SimulatedGpioDriver(_time);
        using var button = driver.OpenInput(new GpioLineSettings(Pin, "button"), TimeSpan.FromMilliseconds(30));

        driver.Press(Pin);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        driver.Release(Pin);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        driver.Press(Pin);
        _time.Advance(TimeSpan.FromMilliseconds(29));
        var early = button.ReadEdgeAsync(CancellationToken.None);
        Assert.False(early.IsCompleted, "no edge before the level has been stable for 30 ms");
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True((await early).Rising);
        Assert.True(button.Read());
        Assert.False(button.ReadEdgeAsync(CancellationToken.None).IsCompleted, "exactly one edge");
    }

    [Fact]
    public void Press_shorter_than_the_debounce_period_gives_no_edge()
    {
        var driver = new SimulatedGpioDriver(_time);
        using var button = driver.OpenInput(new GpioLineSettings(Pin, "button"), TimeSpan.FromMilliseconds(30));

        driver.Press(Pin);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        driver.Release(Pin);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.False(button.ReadEdgeAsync(CancellationToken.None).IsCompleted);
        Assert.False(button.Read());
    }
}
