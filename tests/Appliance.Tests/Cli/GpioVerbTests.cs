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

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Gpio_set_returns_the_line_to_its_safe_state_and_exits_0_on_a_termination_signal(string signal)
    {
        var r = await SignalledAsync(signal, "gpio", "set", "status", "on", "--board", "sim");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("status: released in its safe state", r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Gpio_test_returns_every_line_to_its_safe_state_and_exits_0_on_a_termination_signal(string signal)
    {
        var r = await SignalledAsync(signal, "gpio", "test", "--board", "sim", "--step", "60");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("interrupted: every line is back in its safe state", r.Stdout, StringComparison.Ordinal);
    }

    // Starts the verb, waits for its first line (the line is driven then), sends the signal, collects the result.
    private static async Task<CliProcess.Result> SignalledAsync(string signal, params string[] args)
    {
        using var process = CliProcess.Start(args);
        var stderr = process.StandardError.ReadToEndAsync();
        string? first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.NotNull(first);
        using (var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }
        string rest = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return new CliProcess.Result(process.ExitCode, first + "\n" + rest, await stderr);
    }
}
