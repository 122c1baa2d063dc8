using System.Text;
using System.Text.Json;
using Appliance.Bridge.Client;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Qemu;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Bridge.Tests.Client;

/// <summary>The client against a real qemu-system-x86_64 (no guest needed for these events).</summary>
public sealed class RealQemuTests
{
    private static Task<QmpResponse> Execute(SupervisorHarness harness, string command, string? arguments = null) =>
        harness.Supervisor.ExecuteAsync(command, arguments is null ? default : Encoding.UTF8.GetBytes(arguments), CancellationToken.None);

    /// <summary>QEMU may exit before its reply to <c>quit</c> reaches the client (qemu.qmp tolerates this too).</summary>
    private static async Task QuitAsync(Task<QmpResponse> reply)
    {
        try
        {
            Assert.IsType<QmpReturn>(await reply);
        }
        catch (QmpConnectionLostException)
        {
            // Acceptable for quit only.
        }
    }

    private static async Task<VmEvent> ConnectedAsync(SupervisorHarness harness)
    {
        var gap = await harness.Events.NextAsync();
        Assert.True(gap.IsGap);
        await harness.UntilStateAsync(MonitorState.Running);
        return gap;
    }

    [Fact]
    public async Task Run_state_commands_produce_events_exactly_as_qemu_sent_them()
    {
        using var qemu = QemuProcess.Start();
        var log = new FakeLogger();
        await using var harness = new SupervisorHarness("unix:" + qemu.SocketPath, SupervisorHarness.QuickOptions(), logger: log);
        await ConnectedAsync(harness);

        var published = new List<VmEvent>();
        (string Command, string Event)[] steps =
            [("stop", "STOP"), ("cont", "RESUME"), ("system_reset", "RESET"), ("system_powerdown", "POWERDOWN"), ("quit", "SHUTDOWN")];
        foreach (var (command, expected) in steps)
        {
            var reply = Execute(harness, command);
            if (command != "quit") Assert.IsType<QmpReturn>(await reply);
            else await QuitAsync(reply);
            published.Add(await harness.Events.NextNamedAsync(expected));
        }

        // The client logs every line the monitor sent at Trace, as "... <- LINE".
        var sent = log.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Trace).Select(r => r.Message).ToList();
        Assert.All(published, e => Assert.Contains(sent, line => line.EndsWith(" <- " + e.Event.RawText, StringComparison.Ordinal)));
        Assert.All(published, e => Assert.True(QmpEventCatalog.TryParse(e.Event, out _, out var error), error));
        using var reset = JsonDocument.Parse(published[2].Event.Data);
        Assert.Equal("host-qmp-system-reset", reset.RootElement.GetProperty("reason").GetString()); // QEMU 7.2's extra field, kept
        Assert.True(qemu.WaitForExit(TestWait.Timeout));
    }

    [Fact]
    public async Task Connect_publishes_a_gap_marker_with_qemus_state()
    {
        using var qemu = QemuProcess.Start("-S");
        await using var harness = new SupervisorHarness("unix:" + qemu.SocketPath, SupervisorHarness.QuickOptions());

        var gap = await ConnectedAsync(harness);

        using var data = JsonDocument.Parse(gap.Event.Data);
        Assert.Equal("connected", data.RootElement.GetProperty("reason").GetString());
        Assert.Equal("prelaunch", data.RootElement.GetProperty("status").GetProperty("status").GetString());
        Assert.Equal(0, data.RootElement.GetProperty("block-jobs").GetArrayLength());
        Assert.Equal(JsonValueKind.Object, data.RootElement.GetProperty("migrate").ValueKind);
        Assert.Equal("prelaunch", harness.Status.RunStatus);
    }

    [Fact]
    public async Task Qemu_restart_leads_to_a_reconnected_gap_marker()
    {
        using var qemu = QemuProcess.Start();
        await using var harness = new SupervisorHarness("unix:" + qemu.SocketPath, SupervisorHarness.QuickOptions());
        await ConnectedAsync(harness);

        qemu.Restart();
        var gap = await harness.Events.NextAsync();

        Assert.True(gap.IsGap);
        using var data = JsonDocument.Parse(gap.Event.Data);
        Assert.Equal("reconnected", data.RootElement.GetProperty("reason").GetString());
        Assert.Equal("running", data.RootElement.GetProperty("status").GetProperty("status").GetString());
        await harness.UntilStateAsync(MonitorState.Running);
    }

    [Fact]
    public async Task Mirror_job_gives_typed_block_job_events()
    {
        using var dir = new Appliance.TestSupport.Files.TempDirectory();
        string image = QemuProcess.CreateImage(dir, "disk.qcow2", "16M");
        using var qemu = QemuProcess.Start(dir, ownsDir: false, "qmp.sock", "-drive", $"if=none,id=drive0,file={image},format=qcow2");
        await using var harness = new SupervisorHarness("unix:" + qemu.SocketPath, SupervisorHarness.QuickOptions());
        await ConnectedAsync(harness);

        var mirror = await Execute(harness, "drive-mirror",
            $$"""{"device": "drive0", "job-id": "job0", "target": "{{dir.File("mirror.qcow2")}}", "format": "qcow2", "sync": "full"}""");
        Assert.IsType<QmpReturn>(mirror);
        var ready = await harness.Events.NextNamedAsync(QmpEventNames.BlockJobReady);
        Assert.IsType<QmpReturn>(await Execute(harness, "block-job-complete", """{"device": "job0"}"""));
        var completed = await harness.Events.NextNamedAsync(QmpEventNames.BlockJobCompleted);

        var readyData = Assert.IsType<BlockJobReadyEvent>(QmpEventCatalog.Parse(ready.Event));
        Assert.Equal(("mirror", "job0"), (readyData.Type, readyData.Device));
        var completedData = Assert.IsType<BlockJobCompletedEvent>(QmpEventCatalog.Parse(completed.Event));
        Assert.Equal("job0", completedData.Device);
        Assert.Null(completedData.Error);
        Assert.Equal(completedData.Len, completedData.Offset);
    }
}
