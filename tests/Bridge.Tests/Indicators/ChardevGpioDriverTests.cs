using System.Device.Gpio;
using GpioPin = Appliance.Bridge.Indicators.Gpio.GpioPin;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>The chardev driver where there is no chip (errors name the pin, the owner and why). Its checks against a
/// real kernel chip (every line listed, the appliance named as holder of an output and of an input, a second request
/// refused naming it) run in the arm64 VM on QEMU's PL061: tests/Integration, Arm64VmGpioTests.</summary>
public sealed class ChardevGpioDriverTests
{
    private static GpioController Controller(string devDirectory, params GpioLineSettings[] lines) =>
        new(new ChardevGpioDriver(new GpioLineMap(lines), devDirectory));

    [Fact]
    public void Missing_chip_is_an_error_naming_pin_and_owner()
    {
        using var dev = new TempDirectory();
        using var gpio = Controller(dev.Path, new GpioLineSettings(new GpioPin("gpiochip7", 3), "alarm"));

        var error = Assert.Throws<GpioException>(() => gpio.OpenPin(0, PinMode.Output, PinValue.Low));

        Assert.Contains("gpiochip7:3", error.Message, StringComparison.Ordinal);
        Assert.Contains("'alarm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chip_label_that_no_chip_has_is_an_error_naming_the_label()
    {
        using var dev = new TempDirectory();
        using var gpio = Controller(dev.Path, new GpioLineSettings(new GpioPin("pinctrl-rp1", 17), "status"));

        var error = Assert.Throws<GpioException>(() => gpio.OpenPin(0, PinMode.Output, PinValue.Low));

        Assert.Contains("no chip labelled 'pinctrl-rp1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chip_that_cannot_be_opened_is_an_error_naming_pin_and_reason()
    {
        using var dev = new TempDirectory();
        Directory.CreateDirectory(dev.File("gpiochip0"));
        using var gpio = Controller(dev.Path, new GpioLineSettings(new GpioPin("gpiochip0", 4), "status"));

        var error = Assert.Throws<GpioException>(() => gpio.OpenPin(0, PinMode.Input));

        Assert.Contains("gpiochip0:4 for 'status'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot open GPIO chip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Listing_a_machine_without_chips_says_so()
    {
        using var dev = new TempDirectory();

        Assert.Equal("no GPIO chips found", GpioCommands.List(ChardevGpioDriver.DescribeChips(dev.Path)).Trim());
    }

    [Fact]
    public void Pin_count_is_the_line_map()
    {
        using var dev = new TempDirectory();

        using var gpio = Controller(dev.Path, new GpioLineSettings(new GpioPin("gpiochip0", 4), "a"), new GpioLineSettings(new GpioPin("gpiochip0", 9), "b"));

        Assert.Equal(2, gpio.PinCount);
    }
}
