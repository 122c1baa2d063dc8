using Appliance.Bridge.Indicators.Gpio;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class GpioInputFaultsTests
{
    private readonly FakeLogger<GpioInputFaults> _log = new();

    [Fact]
    public void A_line_that_fails_again_is_listed_and_logged_once()
    {
        var faults = new GpioInputFaults(_log);
        var button = new GpioLineSettings(new GpioPin("gpiochip0", 3), "acknowledge-button");

        faults.Report(button, 19);
        faults.Report(button, 5);

        var fault = Assert.Single(faults.Current);
        Assert.Equal("gpiochip0:3 for 'acknowledge-button': errno 19 (No such device)", fault.ToString());
        Assert.Equal(1, _log.Collector.Count);
    }

    [Fact]
    public void Each_failed_line_is_listed()
    {
        var faults = new GpioInputFaults(_log);

        faults.Report(new GpioLineSettings(new GpioPin("gpiochip0", 3), "acknowledge-button"), 19);
        faults.Report(new GpioLineSettings(new GpioPin("gpiochip1", 3), "door"), 0);

        Assert.Equal(["acknowledge-button", "door"], faults.Current.Select(f => f.Owner).Order(StringComparer.Ordinal));
        Assert.Contains("errno 0 (end of file)", faults.Current.Single(f => f.Owner == "door").ToString(), StringComparison.Ordinal);
        Assert.Equal(2, _log.Collector.Count);
    }
}
