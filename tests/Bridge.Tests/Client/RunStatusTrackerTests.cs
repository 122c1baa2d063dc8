using System.Text;
using Appliance.Bridge.Client;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Tests.Client;

public sealed class RunStatusTrackerTests
{
    private readonly RunStatusTracker _tracker = new();

    private string? Apply(string name, string? data = null)
    {
        string line = data is null ? $$"""{"event": "{{name}}"}""" : $$"""{"event": "{{name}}", "data": {{data}}}""";
        return _tracker.Apply((QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes(line)));
    }

    [Fact]
    public void Plain_stop_means_paused() => Assert.Equal("paused", Apply("STOP"));

    [Fact]
    public void Stop_after_io_error_with_action_stop_means_io_error()
    {
        Assert.Null(Apply("BLOCK_IO_ERROR", """{"device": "d", "operation": "write", "action": "stop"}"""));
        Assert.Equal("io-error", Apply("STOP"));
    }

    [Fact]
    public void Io_error_that_was_only_reported_does_not_colour_the_next_stop()
    {
        Apply("BLOCK_IO_ERROR", """{"device": "d", "operation": "write", "action": "report"}""");
        Assert.Equal("paused", Apply("STOP"));
    }

    [Fact]
    public void Stop_after_guest_panic_with_action_pause_means_guest_panicked()
    {
        Apply("GUEST_PANICKED", """{"action": "pause"}""");
        Assert.Equal("guest-panicked", Apply("STOP"));
    }

    [Fact]
    public void Stop_after_watchdog_with_action_pause_means_watchdog()
    {
        Apply("WATCHDOG", """{"action": "pause"}""");
        Assert.Equal("watchdog", Apply("STOP"));
    }

    [Fact]
    public void The_cause_applies_to_one_stop_only()
    {
        Apply("WATCHDOG", """{"action": "pause"}""");
        Apply("STOP");
        Apply("RESUME");
        Assert.Equal("paused", Apply("STOP"));
    }

    [Theory]
    [InlineData("RESUME", "running")]
    [InlineData("WAKEUP", "running")]
    [InlineData("SUSPEND", "suspended")]
    [InlineData("SHUTDOWN", "shutdown")]
    public void Run_state_events_set_the_status(string name, string status) => Assert.Equal(status, Apply(name));

    [Fact]
    public void Completed_migration_means_postmigrate() =>
        Assert.Equal("postmigrate", Apply("MIGRATION", """{"status": "completed"}"""));

    [Fact]
    public void Other_events_leave_the_status_alone() => Assert.Null(Apply("RESET", """{"guest": false, "reason": "host-qmp-system-reset"}"""));
}
