using Appliance.Bridge.Client;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Time;

namespace Appliance.Bridge.Tests.Client;

/// <summary>Stall checks and reconnect backoff, driven by virtual time over real sockets.</summary>
public sealed class MonitorSupervisorTimingTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly TimerCountingTimeProvider _time = new();
    private ScriptedQmpServer? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _dir.Dispose();
    }

    private string SocketPath => _dir.File("vm1.qmp");

    /// <summary>Virtual-time options: every timeout except the one under test is an hour away.</summary>
    private static MonitorOptions VirtualOptions() => new()
    {
        ConnectTimeout = TimeSpan.FromHours(1), GreetingTimeout = TimeSpan.FromHours(1), NegotiationTimeout = TimeSpan.FromHours(1),
        CommandTimeout = TimeSpan.FromHours(1), StallCheckInterval = TimeSpan.FromSeconds(10), StallTimeout = TimeSpan.FromSeconds(60),
        ReconnectMin = TimeSpan.FromSeconds(10), ReconnectMax = TimeSpan.FromSeconds(40),
    };

    private void Step() => _time.Advance(TimeSpan.FromSeconds(1));

    private async Task<ScriptedQmpConnection> AcceptWhileTimeMovesAsync()
    {
        var accept = _server!.AcceptNegotiatedAsync();
        await TestWait.UntilAsync(() => accept.IsCompleted, "a connection", Step);
        return await accept;
    }

    /// <summary>A running supervisor whose monitor then stops answering query-status (and only that).</summary>
    private async Task<(SupervisorHarness Harness, ScriptedQmpConnection Server)> StartWedgedAsync()
    {
        Listen();
        var harness = new SupervisorHarness("unix:" + SocketPath, VirtualOptions(), _time);
        var connection = await _server!.AcceptNegotiatedAsync();
        await harness.UntilStateAsync(MonitorState.Running);
        var healthy = connection.AutoReply!;
        connection.AutoReply = name => name == "query-status" ? null : healthy(name);
        return (harness, connection);
    }

    private ScriptedQmpServer Listen()
    {
        _server = ScriptedQmpServer.ListenUnix(SocketPath);
        _server.AutoReply = StandardReplies.Healthy();
        return _server;
    }

    [Fact]
    public async Task Unanswered_stall_check_marks_the_monitor_stalled_then_reconnects()
    {
        var (harness, first) = await StartWedgedAsync();
        await using var _ = harness;

        await harness.UntilStateAsync(MonitorState.Stalled, Step);
        await AcceptWhileTimeMovesAsync();
        await harness.UntilStateAsync(MonitorState.Running);

        Assert.Equal([MonitorState.Connecting, MonitorState.Negotiating, MonitorState.Running, MonitorState.Stalled,
            MonitorState.Disconnected, MonitorState.Connecting, MonitorState.Negotiating, MonitorState.Running], harness.States);
        Assert.Equal(1, harness.Supervisor.Counters.Stalls);
        Assert.Equal("query-status", (await first.ReadCommandAsync()).Name);
    }

    [Fact]
    public async Task Stalled_monitor_that_answers_late_returns_to_running_without_reconnecting()
    {
        var (harness, first) = await StartWedgedAsync();
        await using var _ = harness;

        await harness.UntilStateAsync(MonitorState.Stalled, Step);
        await first.ReplyAsync(await first.ReadCommandAsync(), """{"status": "running", "running": true}""");
        await harness.UntilStateAsync(MonitorState.Running);

        Assert.Equal(1, harness.Supervisor.Counters.Connects);
        Assert.DoesNotContain(MonitorState.Disconnected, harness.States);
    }

    [Fact]
    public async Task Answered_stall_checks_keep_the_monitor_running()
    {
        Listen();
        await using var harness = new SupervisorHarness("unix:" + SocketPath, VirtualOptions(), _time);
        var connection = await _server!.AcceptNegotiatedAsync();
        await harness.UntilStateAsync(MonitorState.Running);
        int before = connection.Received.Count(n => n == "query-status");

        await TestWait.UntilAsync(() => connection.Received.Count(n => n == "query-status") >= before + 3, "three stall checks", Step);

        Assert.Equal(0, harness.Supervisor.Counters.Stalls);
        Assert.Equal([MonitorState.Connecting, MonitorState.Negotiating, MonitorState.Running], harness.States);
    }

    [Fact]
    public async Task Reconnect_waits_for_the_backoff_delay()
    {
        await using var harness = new SupervisorHarness("unix:" + SocketPath, VirtualOptions(), _time);
        await TestWait.UntilAsync(() => harness.Supervisor.Counters.ConnectFailures == 1
            && harness.Supervisor.State == MonitorState.Disconnected && _time.ArmedTimers == 1, "the first failure and its backoff timer");

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Equal(1, harness.Supervisor.Counters.ConnectFailures);
        _time.Advance(TimeSpan.FromTicks(1));
        await TestWait.UntilAsync(() => harness.Supervisor.Counters.ConnectFailures == 2, "the second attempt");
    }

    [Fact]
    public async Task Backoff_doubles_from_the_minimum_and_stops_at_the_maximum()
    {
        await using var harness = new SupervisorHarness("unix:" + SocketPath, VirtualOptions(), _time);
        var counters = harness.Supervisor.Counters;
        // Quiet: the attempt failed and its backoff timer is the only one armed.
        Func<bool> quiet = () => harness.Supervisor.State == MonitorState.Disconnected && _time.ArmedTimers == 1;
        await TestWait.UntilAsync(() => counters.ConnectFailures == 1 && quiet(), "the first failure");

        var secondsBetweenAttempts = new List<int>();
        long seen = 1;
        int seconds = 0;
        while (secondsBetweenAttempts.Count < 5)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            seconds++;
            await TestWait.UntilAsync(quiet, "the monitor to settle");
            if (counters.ConnectFailures == seen) continue;
            Assert.Equal(seen + 1, counters.ConnectFailures);
            secondsBetweenAttempts.Add(seconds);
            seen++;
            seconds = 0;
        }

        // Delay n lies in [ceiling/2, ceiling] with ceiling = 10 s * 2^n capped at 40 s; whole-second steps add 1 s of slack.
        Assert.Equal(10, secondsBetweenAttempts[0]);
        Assert.InRange(secondsBetweenAttempts[1], 9, 21);
        Assert.All(secondsBetweenAttempts.Skip(2), s => Assert.InRange(s, 19, 41));
    }

    [Fact]
    public async Task Monitor_that_appears_later_is_connected_after_backoff()
    {
        await using var harness = new SupervisorHarness("unix:" + SocketPath, VirtualOptions(), _time);
        await TestWait.UntilAsync(() => harness.Supervisor.Counters.ConnectFailures >= 1, "a failed attempt");

        Listen();
        await AcceptWhileTimeMovesAsync();

        var gap = await harness.Events.NextAsync();
        Assert.True(gap.IsGap);
        Assert.Contains("\"connected\"", gap.Event.RawText);
    }
}
