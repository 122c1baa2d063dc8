namespace Appliance.Tests.Cli;

public sealed class GpioVerbTests
{
    [Fact]
    public async Task Gpio_test_walks_each_configured_indicator_on_then_off_naming_it()
    {
        var r = await CliProcess.RunAsync("gpio", "test", "--board", "sim", "--step", "0.01");
        Assert.Equal(0, r.ExitCode);
        foreach (var name in new[] { "status", "alarm", "alarm-relay" })
        {
            int on = r.Stdout.IndexOf($"{name} (", StringComparison.Ordinal);
            int off = r.Stdout.IndexOf($"{name}: off", StringComparison.Ordinal);
            Assert.True(on >= 0 && off > on, $"{name} not walked on then off:\n{r.Stdout}");
        }
    }

    [Fact]
    public async Task Gpio_set_of_an_unknown_indicator_is_a_usage_error_listing_the_configured_ones()
    {
        var r = await CliProcess.RunAsync("gpio", "set", "nope", "on", "--board", "sim");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("nope", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("status", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_board_is_a_usage_error_naming_it()
    {
        var r = await CliProcess.RunAsync("gpio", "test", "--board", "no-such-board");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no-such-board", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gpio_list_lists_the_chips_or_says_there_are_none()
    {
        bool chips = Directory.EnumerateFileSystemEntries("/dev", "gpiochip*").Any();
        var r = await CliProcess.RunAsync("gpio", "list");
        if (chips)
        {
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("gpiochip", r.Stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("no GPIO chip", r.Stderr, StringComparison.Ordinal);
        }
    }
}
