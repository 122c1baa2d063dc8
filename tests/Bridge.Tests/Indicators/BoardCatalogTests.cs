using System.Text;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class BoardCatalogTests
{
    private static readonly Lazy<BoardCatalog> Shipped = new(() => BoardCatalog.Load([RepositoryBoards()]));

    private static string RepositoryBoards()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Appliance.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "boards");
    }

    [Theory]
    [InlineData("rpi4b", "GPIO17", "pinctrl-bcm2711", 17u)]
    [InlineData("rpi4b", "P1-11", "pinctrl-bcm2711", 17u)]
    [InlineData("rpi5", "GPIO17", "pinctrl-rp1", 17u)]
    [InlineData("rpi5", "P1-40", "pinctrl-rp1", 21u)]
    [InlineData("rpi-zero2w", "P1-12", "pinctrl-bcm2835", 18u)]
    [InlineData("beaglebone-black", "P8_12", "gpiochip1", 12u)]
    [InlineData("beaglebone-black", "P9_12", "gpiochip1", 28u)]
    [InlineData("beaglebone-black", "GPIO60", "gpiochip1", 28u)]
    [InlineData("beaglebone-black", "P9-41", "gpiochip0", 20u)]
    [InlineData("sim", "ALARM", "gpiochip0", 1u)]
    [InlineData("qemu-virt", "RELAY", "9030000.pl061", 2u)]
    [InlineData("qemu-virt", "POWER-BUTTON", "9030000.pl061", 3u)]
    [InlineData("qemu-virt-libgpiod", "BUTTON", "9030000.pl061", 3u)]
    public void Shipped_profile_maps_pin_names_to_chip_and_line(string board, string pin, string chip, uint line)
    {
        Assert.Equal(new GpioPin(chip, line), Shipped.Value.Get(board).Resolve(pin));
    }

    [Fact]
    public void Every_shipped_profile_names_the_source_of_its_mapping()
    {
        Assert.All(Shipped.Value.Boards, b => Assert.False(string.IsNullOrWhiteSpace(b.Source), $"board {b.Name} has no source"));
        Assert.Equal(["beaglebone-black", "qemu-virt", "qemu-virt-libgpiod", "rpi-zero2w", "rpi4b", "rpi5", "sim"], Shipped.Value.Boards.Select(b => b.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Beaglebone_banks_have_32_lines_each()
    {
        Assert.All(Shipped.Value.Get("beaglebone-black").Pins, p => Assert.InRange(p.Line, 0u, 31u));
    }

    [Fact]
    public void Unknown_board_is_an_error_listing_the_known_ones()
    {
        var error = Assert.Throws<IndicatorConfigurationException>(() => Shipped.Value.Get("rpi3"));

        Assert.Contains("'rpi3'", error.Message, StringComparison.Ordinal);
        Assert.Contains("rpi4b", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_pin_is_an_error_naming_pin_and_board()
    {
        var error = Assert.Throws<IndicatorConfigurationException>(() => Shipped.Value.Get("rpi4b").Resolve("P1-02"));

        Assert.Contains("'P1-02'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'rpi4b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_chip_and_line_is_accepted_on_any_board()
    {
        Assert.Equal(new GpioPin("gpiochip3", 9), Shipped.Value.Get("rpi4b").Resolve("gpiochip3:9"));
    }

    [Fact]
    public void Without_a_boards_directory_only_the_built_in_sim_board_exists()
    {
        var catalog = BoardCatalog.Load(["/nonexistent/boards"]);

        Assert.Equal(["sim"], catalog.Boards.Select(b => b.Name));
    }

    [Fact]
    public void Profile_with_an_unknown_member_is_rejected_naming_the_file()
    {
        var error = Assert.Throws<IndicatorConfigurationException>(() =>
            BoardCatalog.Parse(Encoding.UTF8.GetBytes("""{"name": "x", "pinz": []}"""), "x.json"));

        Assert.Contains("x.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Profile_using_a_pin_name_twice_is_rejected()
    {
        var error = Assert.Throws<IndicatorConfigurationException>(() => BoardCatalog.Parse(Encoding.UTF8.GetBytes(
            """{"name": "x", "pins": [{"names": ["A"], "chip": "gpiochip0", "line": 1}, {"names": ["a"], "chip": "gpiochip0", "line": 2}]}"""), "x.json"));

        Assert.Contains("'a' is used twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_files_defining_one_board_are_rejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.json"), """{"name": "custom", "pins": []}""");
        File.WriteAllText(dir.File("b.json"), """{"name": "custom", "pins": []}""");

        var error = Assert.Throws<IndicatorConfigurationException>(() => BoardCatalog.Load([dir.Path]));

        Assert.Contains("'custom' is defined twice", error.Message, StringComparison.Ordinal);
    }
}
