using System.Text.Json;
using Appliance.Bridge.Client;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Client;

public sealed class MonitorSupervisorTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private ScriptedQmpServer _server = null!;

    public Task InitializeAsync()
    {
        _server = ScriptedQmpServer.ListenUnix(_dir.File("vm1.qmp"));
        _server.AutoReply = StandardReplies.Healthy();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>A supervisor connected to the scripted server, its gap marker already taken.</summary>
    private async Task<(SupervisorHarness Harness, ScriptedQmpConnection Server)> StartRunningAsync()
    {
        var harness = new SupervisorHarness(_server.Endpoint, SupervisorHarness.QuickOptions());
        var server = await _server.AcceptNegotiatedAsync();
        await harness.Events.NextAsync();
        return (harness, server);
    }

    private static JsonElement Data(VmEvent e) => JsonDocument.Parse(e.Event.Data).RootElement;

    [Fact]
    public async Task Connect_publishes_a_gap_marker_with_the_state_snapshot()
    {
        _server.AutoReply = StandardReplies.Healthy("paused");
        await using var harness = new SupervisorHarness(_server.Endpoint, SupervisorHarness.QuickOptions());
        await _server.AcceptNegotiatedAsync();

        var gap = await harness.Events.NextAsync();

        Assert.Equal(ApplianceEventNames.Gap, gap.Event.Name);
        Assert.True(gap.IsGap);
        Assert.Equal("vm1", gap.Vm);
        var data = Data(gap);
        Assert.Equal("connected", data.GetProperty("reason").GetString());
        Assert.Equal("paused", data.GetProperty("status").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Array, data.GetProperty("block-jobs").ValueKind);
        Assert.Equal(JsonValueKind.Object, data.GetProperty("migrate").ValueKind);
        Assert.Equal("paused", gap.RunState);
        await harness.UntilStateAsync(MonitorState.Running);
        Assert.Equal("paused", harness.Status.RunStatus);
    }

    [Fact]
    public async Task Gap_marker_leaves_out_queries_the_server_does_not_offer()
    {
        _server.AutoReply = StandardReplies.Healthy(commands: """[{"name": "query-status"}]""");
        await using var harness = new SupervisorHarness(_server.Endpoint, SupervisorHarness.QuickOptions());
        var server = await _server.AcceptNegotiatedAsync();

        var data = Data(await harness.Events.NextAsync());

        Assert.True(data.TryGetProperty("status", out _));
        Assert.False(data.TryGetProperty("block-jobs", out _));
        Assert.False(data.TryGetProperty("migrate", out _));
        Assert.DoesNotContain("query-block-jobs", server.Received);
    }

    [Fact]
    public async Task Gap_marker_raw_line_is_a_well_formed_event()
    {
        await using var harness = new SupervisorHarness(_server.Endpoint, SupervisorHarness.QuickOptions());
        await _server.AcceptNegotiatedAsync();

        var gap = await harness.Events.NextAsync();

        using var doc = JsonDocument.Parse(gap.Event.Raw);
        Assert.Equal(ApplianceEventNames.Gap, doc.RootElement.GetProperty("event").GetString());
        Assert.True(doc.RootElement.GetProperty("timestamp").GetProperty("seconds").GetInt64() > 0);
    }

    [Fact]
    public async Task Events_after_the_gap_marker_are_published_as_received()
    {
        var (harness, server) = await StartRunningAsync();
        await using var _ = harness;

        await server.SendEventAsync("X_UNKNOWN", """{"a": 1, "b": [true]}""");
        var e = await harness.Events.NextAsync();

        Assert.Equal("""{"timestamp": {"seconds": 1700000000, "microseconds": 1}, "event": "X_UNKNOWN", "data": {"a": 1, "b": [true]}}""", e.Event.RawText);
        Assert.Equal(VmEventFlags.None, e.Flags);
        await TestWait.UntilAsync(() => harness.Board.Events.Get("vm1").LastEvent == "X_UNKNOWN", "last event on the board");
    }

    [Fact]
    public async Task Critical_events_are_flagged()
    {
        var (harness, server) = await StartRunningAsync();
        await using var _ = harness;

        await server.SendEventAsync("WATCHDOG", """{"action": "pause"}""");

        Assert.True((await harness.Events.NextAsync()).IsCritical);
    }

    [Theory]
    [InlineData("STOP", null, "paused")]
    [InlineData("RESUME", null, "running")]
    [InlineData("SHUTDOWN", """{"guest": true, "reason": "guest-shutdown"}""", "shutdown")]
    [InlineData("SUSPEND", null, "suspended")]
    public async Task Run_status_follows_events(string name, string? data, string status)
    {
        _server.AutoReply = StandardReplies.Healthy(name == "RESUME" ? "paused" : "running");
        var (harness, server) = await StartRunningAsync();
        await using var _ = harness;

        await server.SendEventAsync(name, data);
        var vmEvent = await harness.Events.NextNamedAsync(name);

        Assert.Equal(status, vmEvent.RunState);
        await TestWait.UntilAsync(() => harness.Status.RunStatus == status, $"run status {status}");
    }

    [Fact]
    public async Task Every_event_carries_the_run_status_even_when_it_changes_nothing()
    {
        _server.AutoReply = StandardReplies.Healthy("paused");
        var (harness, server) = await StartRunningAsync();
        await using var _ = harness;

        await server.SendEventAsync("RTC_CHANGE", """{"offset": 1}""");

        Assert.Equal("paused", (await harness.Events.NextNamedAsync("RTC_CHANGE")).RunState);
    }

    [Fact]
    public async Task Stop_after_an_io_error_with_action_stop_means_io_error()
    {
        var (harness, server) = await StartRunningAsync();
        await using var _ = harness;

        await server.SendEventAsync("BLOCK_IO_ERROR", """{"device": "ide0-hd1", "operation": "write", "action": "stop"}""");
        await server.SendEventAsync("STOP");
        var stop = await harness.Events.NextNamedAsync("STOP");

        Assert.Equal("io-error", stop.RunState);
        await TestWait.UntilAsync(() => harness.Status.RunStatus == "io-error", "run status io-error");
    }

    [Fact]
    public async Task Malformed_line_is_counted_and_the_connection_goes_on()
    {
        var (harness, server) = await StartRunningAsync();
        await using var _ = harness;

        await server.SendAsync("{\"event\": broken}");
        await server.SendEventAsync("RESUME");

        Assert.Equal("RESUME", (await harness.Events.NextAsync()).Event.Name);
        Assert.Equal(1, harness.Supervisor.Counters.MalformedLines);
        Assert.Equal(MonitorState.Running, harness.Supervisor.State);
    }

    [Fact]
    public async Task Server_restart_leads_to_a_reconnect_and_a_reconnected_gap_marker()
    {
        await using var harness = new SupervisorHarness(_server.Endpoint, SupervisorHarness.QuickOptions());
        var first = await _server.AcceptNegotiatedAsync();
        await harness.Events.NextAsync();
        await harness.UntilStateAsync(MonitorState.Running);

        await _server.DisposeAsync(); // the monitor process dies with its socket
        _server = ScriptedQmpServer.ListenUnix(_dir.File("vm1.qmp"));
        _server.AutoReply = StandardReplies.Healthy("paused");
        await _server.AcceptNegotiatedAsync();
        var gap = await harness.Events.NextAsync();

        Assert.True(gap.IsGap);
        Assert.Equal("reconnected", Data(gap).GetProperty("reason").GetString());
        await harness.UntilStateAsync(MonitorState.Running);
        Assert.Contains(MonitorState.Disconnected, harness.States);
        Assert.Equal(2, harness.Supervisor.Counters.Connects);
    }

    [Fact]
    public async Task Greeting_never_sent_ends_in_disconnected_and_a_retry()
    {
        var options = SupervisorHarness.QuickOptions();
        options.GreetingTimeout = TimeSpan.FromMilliseconds(200);
        await using var harness = new SupervisorHarness(_server.Endpoint, options);

        await using var silent = await _server.AcceptAsync();
        await using var retry = await _server.AcceptAsync();

        Assert.Equal([MonitorState.Connecting, MonitorState.Negotiating, MonitorState.Disconnected], harness.States.Take(3));
        Assert.True(harness.Supervisor.Counters.ConnectFailures >= 1);
    }

    [Fact]
    public async Task Commands_run_on_the_current_connection_and_fail_clearly_when_there_is_none()
    {
        _server.AutoReply = null;
        await using var harness = new SupervisorHarness(_server.Endpoint, SupervisorHarness.QuickOptions());
        await Assert.ThrowsAsync<QmpConnectionLostException>(() => harness.Supervisor.ExecuteAsync("stop", default, CancellationToken.None));

        _server.AutoReply = StandardReplies.Healthy();
        var server = await _server.AcceptNegotiatedAsync();
        await harness.UntilStateAsync(MonitorState.Running);
        var stop = harness.Supervisor.ExecuteAsync("stop", default, CancellationToken.None);
        await server.ReplyAsync(await server.ReadCommandAsync());

        Assert.IsType<Appliance.Qmp.Messages.QmpReturn>(await stop);
    }

    [Fact]
    public async Task Endless_line_costs_a_reconnect_not_the_process()
    {
        var options = SupervisorHarness.QuickOptions();
        options.MaxLineBytes = 4096;
        await using var harness = new SupervisorHarness(_server.Endpoint, options);
        var first = await _server.AcceptNegotiatedAsync();
        await harness.Events.NextAsync();

        var flood = Task.Run(async () =>
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'a');
            try
            {
                while (true) await first.SendBytesAsync(chunk);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // The supervisor hung up, as it should.
            }
        });
        await _server.AcceptNegotiatedAsync();
        var gap = await harness.Events.NextAsync();

        Assert.Contains("\"reconnected\"", gap.Event.RawText);
        Assert.Equal(1, harness.Supervisor.Counters.OverlongLines);
        first.Close();
        await flood.WaitAsync(TestWait.Timeout);
    }

    [Fact]
    public async Task Event_sent_before_the_greeting_is_published_after_the_gap_marker()
    {
        await using var harness = new SupervisorHarness(_server.Endpoint, SupervisorHarness.QuickOptions());
        var server = await _server.AcceptAsync();
        await server.SendEventAsync("RESUME");
        await server.SendGreetingAsync();

        Assert.True((await harness.Events.NextAsync()).IsGap);
        Assert.Equal("RESUME", (await harness.Events.NextAsync()).Event.Name);
    }

    [Fact]
    public async Task Command_in_flight_fails_with_connection_lost_when_the_monitor_goes_away()
    {
        var (harness, server) = await StartRunningAsync();
        await using var _ = harness;
        await harness.UntilStateAsync(MonitorState.Running);
        var call = harness.Supervisor.ExecuteAsync("stop", default, CancellationToken.None);
        Assert.Equal("stop", (await server.ReadCommandAsync()).Name);

        server.Close();

        await Assert.ThrowsAsync<QmpConnectionLostException>(() => call);
    }
}
