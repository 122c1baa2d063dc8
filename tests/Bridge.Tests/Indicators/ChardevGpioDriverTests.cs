using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class ChardevGpioDriverTests
{
    [Fact]
    public void Missing_chip_is_an_error_naming_pin_and_owner()
    {
        using var dev = new TempDirectory();
        var driver = new ChardevGpioDriver(dev.Path);

        var error = Assert.Throws<GpioException>(() => driver.OpenOutput(new GpioLineSettings(new GpioPin("gpiochip7", 3), "alarm"), false));

        Assert.Contains("gpiochip7:3", error.Message, StringComparison.Ordinal);
        Assert.Contains("'alarm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chip_label_that_no_chip_has_is_an_error_naming_the_label()
    {
        using var dev = new TempDirectory();
        var driver = new ChardevGpioDriver(dev.Path);

        var error = Assert.Throws<GpioException>(() => driver.OpenOutput(new GpioLineSettings(new GpioPin("pinctrl-rp1", 17), "status"), false));

        Assert.Contains("no chip labelled 'pinctrl-rp1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chip_that_cannot_be_opened_is_an_error_naming_pin_and_reason()
    {
        using var dev = new TempDirectory();
        Directory.CreateDirectory(dev.File("gpiochip0"));

        var error = Assert.Throws<GpioException>(() => new ChardevGpioDriver(dev.Path).OpenOutput(new GpioLineSettings(new GpioPin("gpiochip0", 4), "status"), false));

        Assert.Contains("gpiochip0:4 for 'status'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot open GPIO chip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Listing_a_machine_without_chips_says_so()
    {
        using var dev = new TempDirectory();

        Assert.Equal("no GPIO chips found", GpioCommands.List(new ChardevGpioDriver(dev.Path)).Trim());
    }

    [GpioChipFact]
    public void Real_chips_list_every_line()
    {
        var chips = new ChardevGpioDriver().DescribeChips();

        Assert.NotEmpty(chips);
        Assert.All(chips, c => Assert.StartsWith("gpiochip", c.Name, StringComparison.Ordinal));
        Assert.All(chips, c => Assert.Equal(Enumerable.Range(0, c.Lines.Count).Select(i => (uint)i), c.Lines.Select(l => l.Offset)));
    }

    [GpioChipFact]
    public void Requested_real_line_shows_the_appliance_as_holder()
    {
        var driver = new ChardevGpioDriver();
        var chip = driver.DescribeChips().First(c => c.Lines.Any(l => !l.Used));
        var free = chip.Lines.First(l => !l.Used);

        using var input = driver.OpenInput(new GpioLineSettings(new GpioPin(chip.Name, free.Offset), "probe"), TimeSpan.Zero);

        var line = driver.DescribeChips().Single(c => c.Name == chip.Name).Lines[(int)free.Offset];
        Assert.Equal(ChardevGpioDriver.Consumer, line.Consumer);
        var busy = Assert.Throws<GpioException>(() => driver.OpenInput(new GpioLineSettings(new GpioPin(chip.Name, free.Offset), "second"), TimeSpan.Zero));
        Assert.Contains("appliance", busy.Message, StringComparison.Ordinal);
    }
}
