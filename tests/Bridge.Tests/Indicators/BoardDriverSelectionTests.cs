using System.Device.Gpio;
using System.Text;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Time.Testing;
using GpioPin = Appliance.Bridge.Indicators.Gpio.GpioPin;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>A board profile's <c>driver</c> picks the <see cref="GpioDriver"/> under the indicators' controller.
/// No chip exists here (gpiochip97 exists nowhere), so each driver shows itself by how it fails to open the line.</summary>
public sealed class BoardDriverSelectionTests
{
    private static readonly GpioLineMap Lamp = new([new GpioLineSettings(new GpioPin("gpiochip97", 0), "lamp")]);

    private static BoardProfile Profile(string driverLine) => BoardCatalog.Parse(Encoding.UTF8.GetBytes($$"""
        { "name": "test-board", {{driverLine}} "pins": [ { "names": ["LAMP"], "chip": "gpiochip97", "line": 0 } ] }
        """), "test-board.json");

    [Fact]
    public void Profile_without_a_driver_uses_the_chardev_driver()
    {
        using var dev = new TempDirectory();
        using var gpio = GpioDrivers.For(Profile(""), devDirectory: dev.Path)(Lamp);

        var error = Assert.Throws<GpioException>(() => gpio.OpenPin(0, PinMode.Output, PinValue.Low));

        Assert.Contains($"chip {Path.Combine(dev.Path, "gpiochip97")} does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Libgpiod_profile_goes_through_system_device_gpio_libgpiod_driver()
    {
        var board = Profile("\"driver\": \"libgpiod\",");
        using var gpio = GpioDrivers.For(board)(Lamp);

        var error = Assert.Throws<GpioException>(() => gpio.OpenPin(0, PinMode.Output, PinValue.Low));

        Assert.Equal(GpioDrivers.Libgpiod, board.Driver);
        Assert.Contains("gpiochip97:0 for 'lamp': libgpiod cannot open gpiochip97", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Libgpiod_driver_refuses_what_libgpiod_cannot_request_naming_the_line()
    {
        var lines = new GpioLineMap([new GpioLineSettings(new GpioPin("gpiochip97", 3), "relay", Drive: GpioDrive.OpenDrain)]);
        using var gpio = GpioDrivers.For(Profile("\"driver\": \"libgpiod\","))(lines);

        var error = Assert.Throws<GpioException>(() => gpio.OpenPin(0, PinMode.Output, PinValue.Low));

        Assert.Equal("GPIO gpiochip97:3 for 'relay' asks for open-drain, which the libgpiod driver cannot request; use the board's default driver (chardev)", error.Message);
    }

    [Fact]
    public void Sim_board_drives_the_simulated_chips()
    {
        var chips = new SimulatedGpioChips(new FakeTimeProvider());
        var lines = new GpioLineMap([new GpioLineSettings(new GpioPin("gpiochip0", 3), "lamp")]);
        using var gpio = GpioDrivers.For(BoardCatalog.Load([]).Get(BoardCatalog.SimulatedBoard), chips)(lines);

        gpio.OpenPin(0, PinMode.Output, PinValue.High);

        Assert.True(chips.LevelOf(new GpioPin("gpiochip0", 3)));
    }

    [Fact]
    public void Shipped_profiles_use_the_chardev_driver_except_sim_and_the_libgpiod_twin_of_qemu_virt()
    {
        var shipped = BoardCatalog.Load([RepoPaths.File("boards")]);
        var twin = shipped.Get("qemu-virt-libgpiod");

        Assert.Equal(GpioDrivers.Simulated, shipped.Get("sim").Driver);
        Assert.Equal(GpioDrivers.Libgpiod, twin.Driver);
        Assert.Equal(Pins(shipped.Get("qemu-virt")), Pins(twin));
        Assert.All(shipped.Boards.Where(b => b.Name is not ("sim" or "qemu-virt-libgpiod")), b => Assert.Contains(b.Driver, new[] { "", GpioDrivers.Chardev }));
    }

    private static IEnumerable<string> Pins(BoardProfile board) => board.Pins.Select(p => $"{p.Chip}:{p.Line} {string.Join(',', p.Names)}");

    [Fact]
    public void Unknown_driver_is_refused_naming_the_allowed_ones()
    {
        var error = Assert.Throws<IndicatorConfigurationException>(() => Profile("\"driver\": \"sysfs\","));

        Assert.Equal("board profile test-board.json: board 'test-board': driver 'sysfs' is not known; allowed: chardev, libgpiod, sim", error.Message);
    }
}
