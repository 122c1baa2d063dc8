using System.Text;
using System.Text.Json;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Integration.Support;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Qemu;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>Real QEMU dialling the appliance (<c>appliance run --listen</c>) with
/// <c>-chardev socket,id=mon0,path=PATH,reconnect=2 -mon chardev=mon0,mode=control</c>.</summary>
public sealed class QemuDialInTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static Dictionary<string, string?> Settings(string listenPath) => new()
    {
        ["Monitors:Listen:0"] = $"unix:{listenPath}",
        ["Emulator:Enabled"] = "false",
    };

    [Fact]
    public async Task Qemu_dials_in_again_after_the_appliance_restarts_and_its_later_events_follow_a_gap_marker()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var state = new TempDirectory();
        using var sockets = new TempDirectory();
        string listen = sockets.File("qmp-dial.sock");
        using var qemu = DialingQemu.Start(listen, "-name", "dialer");

        long stopSeq;
        await using (var first = await ApplianceUnderTest.StartAsync(broker.Port, Settings(listen), state))
        {
            var board = first.Get<VmStatusBoard>();
            await Eventually.TrueAsync(() => board.Get("dialer") is { Monitor: MonitorState.Running }, "QEMU dialled in and named 'dialer'", Wait);
            await ExecuteAsync(first.Get<IVmCommandGateway>(), "dialer", "stop");
            var journal = first.Get<IJournalReader>();
            await Eventually.TrueAsync(() => Rows(journal).Any(r => r.Event == "STOP"), "STOP journaled before the restart", Wait);
            stopSeq = Rows(journal).First(r => r.Event == "STOP").Seq;
        }

        await using var second = await ApplianceUnderTest.StartAsync(broker.Port, Settings(listen), state);
        var board2 = second.Get<VmStatusBoard>();
        await Eventually.TrueAsync(() => board2.Get("dialer") is { Monitor: MonitorState.Running }, "QEMU dialled in again (reconnect=2)", Wait);
        await ExecuteAsync(second.Get<IVmCommandGateway>(), "dialer", "cont");

        var journal2 = second.Get<IJournalReader>();
        await Eventually.TrueAsync(() => Rows(journal2).Any(r => r.Event == "RESUME"), "RESUME journaled after the restart", Wait);
        var rows = Rows(journal2);
        var gapAfterRestart = rows.First(r => r.Event == ApplianceEventNames.Gap && r.Seq > stopSeq);
        var resume = rows.First(r => r.Event == "RESUME");
        Assert.True(resume.Seq > gapAfterRestart.Seq, "the event after the restart comes after a gap marker");
        using var gap = JsonDocument.Parse(gapAfterRestart.RawJson);
        // The snapshot in the gap marker shows what happened while nobody listened: the VM is still paused.
        Assert.Equal("paused", gap.RootElement.GetProperty("data").GetProperty("status").GetProperty("status").GetString());
        Assert.True(qemu.IsRunning, qemu.Errors);
    }

    [Fact]
    public async Task Qemu_without_a_name_is_named_by_the_uuid_on_its_command_line()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var sockets = new TempDirectory();
        string listen = sockets.File("qmp-dial.sock");
        const string uuid = "5a1f0c3e-0000-4000-8000-000000000017";
        await using var appliance = await ApplianceUnderTest.StartAsync(broker.Port, Settings(listen));

        using var qemu = DialingQemu.Start(listen, "-uuid", uuid);

        var board = appliance.Get<VmStatusBoard>();
        await Eventually.TrueAsync(() => board.Get(uuid) is { Monitor: MonitorState.Running, RunStatus: "running" }, $"QEMU pid {qemu.Pid} named {uuid}", Wait);
    }

    private static List<JournalEntry> Rows(IJournalReader journal) => [.. journal.Query(new JournalQuery(Vm: "dialer", Limit: 1000))];

    private static async Task ExecuteAsync(IVmCommandGateway gateway, string vm, string command)
    {
        var reply = await gateway.ExecuteAsync(vm, command, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        Assert.True(reply is QmpReturn, $"{command}: {Encoding.UTF8.GetString(reply.Raw.Span)}");
    }
}
