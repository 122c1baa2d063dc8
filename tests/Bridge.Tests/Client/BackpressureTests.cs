using System.Text.Json;
using Appliance.Bridge.Client;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Qemu;

namespace Appliance.Bridge.Tests.Client;

/// <summary>A real qemu-system-x86_64 whose events flow to a real journal that a test hook holds: the monitor is
/// Backpressured, not stalled nor reconnected, and once the journal is released it holds everything QEMU sent.</summary>
public sealed class BackpressureTests
{
    private const int Pairs = 300;

    [Fact]
    public async Task A_held_journal_backpressures_the_monitor_and_loses_nothing_once_released()
    {
        await using var rig = await Rig.StartAsync(backlogCapacity: 65_536);

        using (rig.Writer.Hold())
        {
            await rig.DriveStopContPairsAsync(Pairs);
            await TestWait.UntilAsync(() => rig.Supervisor.Counters.Events >= 2 * Pairs, "QEMU's events read");
            Assert.Equal(MonitorState.Backpressured, rig.Supervisor.State);
            await rig.SeveralStallChecksAsync();
            Assert.Equal(MonitorState.Backpressured, rig.Board.Get("vm1")!.Monitor);
        }

        await TestWait.UntilAsync(() => rig.RunStateRows().Count == 2 * Pairs, "every STOP and RESUME journaled",
            detail: () => $"{rig.RunStateRows().Count} journaled");
        await TestWait.UntilAsync(() => rig.Supervisor.State == MonitorState.Running, "the monitor Running again");
        Assert.Equal((0L, 1L, 0L), (rig.Supervisor.Counters.Stalls, rig.Supervisor.Counters.Connects, rig.Supervisor.Counters.EventsLost));
        Assert.Equal(["connected"], rig.GapReasons());
        Assert.True(rig.Supervisor.Counters.Backpressures >= 1);
    }

    [Fact]
    public async Task Past_the_backlog_capacity_the_loss_is_recorded_once_with_its_exact_count_and_range()
    {
        await using var rig = await Rig.StartAsync(backlogCapacity: 100);

        using (rig.Writer.Hold())
        {
            await rig.DriveStopContPairsAsync(Pairs);
            await TestWait.UntilAsync(() => rig.Supervisor.Counters.Events >= 2 * Pairs, "QEMU's events read");
        }

        await TestWait.UntilAsync(() => rig.GapReasons().Count == 2, "the loss marker journaled");
        await TestWait.UntilAsync(() => rig.Supervisor.State == MonitorState.Running, "the monitor Running again");
        var loss = Assert.Single(rig.Gaps(), g => g.GetProperty("reason").GetString() == "backlog-full");
        long lost = loss.GetProperty("lost").GetInt64();
        Assert.Equal(lost, loss.GetProperty("last-event").GetInt64() - loss.GetProperty("first-event").GetInt64() + 1);
        Assert.Equal(2 * Pairs, rig.RunStateRows().Count + lost);
        Assert.Equal(lost, rig.Supervisor.Counters.EventsLost);
        Assert.Equal((0L, 1L), (rig.Supervisor.Counters.Stalls, rig.Supervisor.Counters.Connects));
    }

    [Fact]
    public async Task A_full_journal_disk_backpressures_the_monitor_and_everything_is_committed_once_space_returns()
    {
        await using var rig = await Rig.StartAsync(backlogCapacity: 65_536);
        var store = rig.Journal.Writer;
        store.ExecuteScalar($"PRAGMA max_page_count = {store.ExecuteScalar("PRAGMA page_count")}");

        await rig.DriveStopContPairsAsync(Pairs);
        await TestWait.UntilAsync(() => rig.Writer.Counters.Errors > 0 && rig.Supervisor.State == MonitorState.Backpressured, "commits failing, monitor Backpressured");
        await rig.SeveralStallChecksAsync();
        Assert.Equal(MonitorState.Backpressured, rig.Supervisor.State);

        store.ExecuteScalar("PRAGMA max_page_count = 1000000");
        await TestWait.UntilAsync(() => rig.RunStateRows().Count == 2 * Pairs, "every STOP and RESUME journaled",
            detail: () => $"{rig.RunStateRows().Count} journaled");
        Assert.Equal((0L, 1L, 0L), (rig.Supervisor.Counters.Stalls, rig.Supervisor.Counters.Connects, rig.Supervisor.Counters.EventsLost));
        Assert.Equal(["connected"], rig.GapReasons());
    }

    /// <summary>QEMU with two monitors (one watched, one to drive it), a journal whose hub queue holds 64 events, and a
    /// supervisor with quick stall checks (they would fire within half a second if replies stopped being read).</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private static readonly TimeSpan StallInterval = TimeSpan.FromMilliseconds(200);
        private static readonly TimeSpan StallTimeout = TimeSpan.FromMilliseconds(300);
        private readonly TempDirectory _dir;
        private readonly QemuProcess _qemu;
        private readonly CancellationTokenSource _stop = new();
        private Task _run = Task.CompletedTask;

        private Rig(TempDirectory dir, int backlogCapacity)
        {
            _dir = dir;
            _qemu = QemuProcess.Start(dir, ownsDir: false, "qmp.sock", "-qmp", $"unix:{dir.File("drive.sock")},server=on,wait=off");
            var options = new JournalOptions { Path = dir.File("journal.db") };
            Journal = EventJournal.Open(options);
            Writer = new JournalWriter(Journal, Hub.Subscribe("journal", EventDelivery.Lossless, 64), options);
            var monitor = SupervisorHarness.QuickOptions();
            monitor.StallCheckInterval = StallInterval;
            monitor.StallTimeout = StallTimeout;
            monitor.BacklogCapacity = backlogCapacity;
            Supervisor = new MonitorSupervisor("vm1", QmpEndpoint.Parse("unix:" + _qemu.SocketPath), monitor, Hub, Board, new CriticalEventClassifier());
        }

        public EventHub Hub { get; } = new();

        public VmStatusBoard Board { get; } = new();

        public EventJournal Journal { get; }

        public JournalWriter Writer { get; }

        public MonitorSupervisor Supervisor { get; }

        public static async Task<Rig> StartAsync(int backlogCapacity)
        {
            var rig = new Rig(new TempDirectory(), backlogCapacity);
            await rig.Writer.StartAsync(CancellationToken.None);
            rig._run = Task.Run(() => rig.Supervisor.RunAsync(rig._stop.Token));
            await TestWait.UntilAsync(() => rig.GapReasons().Count == 1 && rig.Supervisor.State == MonitorState.Running, "connected and journaled");
            return rig;
        }

        public async Task DriveStopContPairsAsync(int pairs)
        {
            await using var driver = new QmpClient(QmpEndpoint.Parse("unix:" + _dir.File("drive.sock")));
            await driver.ConnectAsync(CancellationToken.None);
            for (int i = 0; i < pairs; i++)
            {
                await driver.ExecuteAsync("stop");
                await driver.ExecuteAsync("cont");
            }
        }

        // Long enough for several checks to have come due, each of which would have stalled the monitor if unanswered.
        public Task SeveralStallChecksAsync() => Task.Delay(4 * (StallInterval + StallTimeout));

        public List<JournalEntry> RunStateRows() => [.. Journal.Query(new JournalQuery(Vm: "vm1", Events: ["STOP", "RESUME"], Limit: 100_000))];

        public List<JsonElement> Gaps() =>
        [
            .. Journal.Query(new JournalQuery(Vm: "vm1", Events: [ApplianceEventNames.Gap], Limit: 100))
                .Select(g => JsonDocument.Parse(g.RawJson).RootElement.GetProperty("data").Clone()),
        ];

        public List<string?> GapReasons() => [.. Gaps().Select(g => g.GetProperty("reason").GetString())];

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(TestWait.Timeout);
            Hub.Complete();
            await Writer.StopAsync(CancellationToken.None);
            Writer.Dispose();
            Journal.Dispose();
            _qemu.Dispose();
            _stop.Dispose();
            _dir.Dispose();
        }
    }
}
