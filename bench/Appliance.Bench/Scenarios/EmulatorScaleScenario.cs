using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Appliance.Bench.Harness;

namespace Appliance.Bench.Scenarios;

/// <summary>Scenario 5: how many idle emulated VMs one process holds and what each costs, and how fast the load mode
/// streams events to a client that only counts lines.</summary>
public static class EmulatorScaleScenario
{
    /// <summary>Starts <paramref name="vms"/> idle VMs, then streams <paramref name="loadEvents"/> events.</summary>
    public static async Task<EmulatorScaleReport> RunAsync(int vms, int loadEvents, CancellationToken cancellationToken)
    {
        var (binary, started, rssPerVm) = await IdleVmsAsync(vms, cancellationToken).ConfigureAwait(false);
        double heapPerVm = await HeapPerVmAsync(Math.Min(vms, 500), cancellationToken).ConfigureAwait(false);
        await LoadModeAsync(Math.Max(1, loadEvents / 10), cancellationToken).ConfigureAwait(false); // warm-up: JIT tiers, pools
        var (received, rate) = await LoadModeAsync(loadEvents, cancellationToken).ConfigureAwait(false);
        return new EmulatorScaleReport(binary, started, rssPerVm, heapPerVm, loadEvents, received, rate);
    }

    /// <summary>The report's table.</summary>
    public static ResultTable ToTable(EmulatorScaleReport r)
    {
        var table = new ResultTable("Emulator scale: idle VMs per process, load mode events/s", "measure", "value", "target", "verdict");
        table.Add($"idle VMs started in one `appliance emu` process ({r.Binary})", Format.Count(r.Vms), ">= 1,000", Format.Met(r.Vms >= 1000));
        table.Add("RSS per idle VM (KiB)", Format.Number(r.RssKibPerVm), "<= 50", Format.Met(r.RssKibPerVm <= 50));
        table.Add("managed heap per idle VM (KiB)", Format.Number(r.HeapKibPerVm), "-", "-");
        table.Add("load mode events received", $"{Format.Count(r.LoadReceived)} of {Format.Count(r.LoadEvents)}", "all", Format.Met(r.LoadReceived == r.LoadEvents));
        table.Add("load mode events/s (one unix socket)", Format.Rate(r.LoadEventsPerSecond), ">= 200,000", Format.Met(r.LoadEventsPerSecond >= 200_000));
        table.Note("Each idle VM listens on its own unix QMP socket. RSS per VM: (VmRSS of `appliance emu --count N` - VmRSS with --count 1) / (N - 1), 2 s after the sockets appear. Managed heap per VM: GC.GetTotalMemory growth over up to 500 VMs started in the harness's process.");
        table.Note("Load mode (in the harness's process, after a warm-up run of a tenth the size): a raw socket client sends qmp_capabilities and x-load, then only counts lines.");
        return table;
    }

    // In a fresh `appliance emu` process (NativeAOT when published), so nothing else in this process blurs the figure:
    // (RSS with N VMs - RSS with 1 VM) / (N - 1).
    private static async Task<(string Binary, int Started, double RssKib)> IdleVmsAsync(int count, CancellationToken cancellationToken)
    {
        string binary = ApplianceBinaries.AotIsCurrent ? ApplianceBinaries.Aot : ApplianceBinaries.Jit;
        var one = await EmulatorProcessRssAsync(binary, 1, cancellationToken).ConfigureAwait(false);
        var many = await EmulatorProcessRssAsync(binary, count, cancellationToken).ConfigureAwait(false);
        return (binary == ApplianceBinaries.Aot ? "NativeAOT" : "JIT", many.Started, (many.RssKib - one.RssKib) / (double)Math.Max(1, count - 1));
    }

    private static async Task<(int Started, long RssKib)> EmulatorProcessRssAsync(string binary, int count, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("bench-idle-");
        try
        {
            using var emu = ChildProcess.Start(binary, ["emu", "--qmp", $"unix:{dir.FullName}/vm{{n}}.qmp", "--count", count.ToString(CultureInfo.InvariantCulture)],
                onLine: _ => { });
            var waited = Stopwatch.StartNew();
            int started = 0;
            while ((started = Directory.GetFiles(dir.FullName, "*.qmp").Length) < count && !emu.HasExited && waited.Elapsed < TimeSpan.FromMinutes(2))
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            // Let start-up garbage be collected and the process settle before reading its resident size.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            return (started, ProcFs.ResidentKib(emu.Id));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    // In this process: the managed heap one VM object graph holds.
    private static async Task<double> HeapPerVmAsync(int count, CancellationToken cancellationToken)
    {
        var emulator = new EmulatorFixture();
        await using var emulatorScope = emulator.ConfigureAwait(false);
        await emulator.StartVmAsync("warmup", cancellationToken).ConfigureAwait(false);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < count; i++) await emulator.StartVmAsync("vm" + i, cancellationToken).ConfigureAwait(false);
        return (GC.GetTotalMemory(forceFullCollection: true) - before) / 1024.0 / count;
    }

    private static async Task<(long Received, double Rate)> LoadModeAsync(int events, CancellationToken cancellationToken)
    {
        var emulator = new EmulatorFixture();
        await using var emulatorScope = emulator.ConfigureAwait(false);
        string path = await emulator.StartVmAsync("load", cancellationToken).ConfigureAwait(false);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        var buffer = new byte[256 * 1024];
        long lines = 0;
        lines += await ReadLinesAsync(socket, buffer, 1, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(Encoding.UTF8.GetBytes($$$"""
            {"execute":"qmp_capabilities"}
            {"execute":"x-load","arguments":{"count":{{{events}}}}}

            """), cancellationToken).ConfigureAwait(false);
        long start = Stopwatch.GetTimestamp();
        // Two replies, then the events.
        lines = await ReadLinesAsync(socket, buffer, events + 2, cancellationToken).ConfigureAwait(false);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long received = lines - 2;
        return (received, received / seconds);
    }

    // Reads until `wanted` newline-terminated lines arrived or the peer closed; returns the count.
    private static async Task<long> ReadLinesAsync(Socket socket, byte[] buffer, long wanted, CancellationToken cancellationToken)
    {
        long lines = 0;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(5));
        while (lines < wanted)
        {
            int n = await socket.ReceiveAsync(buffer, limit.Token).ConfigureAwait(false);
            if (n == 0) break;
            lines += buffer.AsSpan(0, n).Count((byte)'\n');
        }
        return lines;
    }
}

/// <summary>The emulator scale figures.</summary>
/// <param name="Binary">Which build of `appliance emu` held the idle VMs.</param>
/// <param name="Vms">Idle VMs started (sockets that appeared).</param>
/// <param name="RssKibPerVm">Resident memory growth per VM in KiB.</param>
/// <param name="HeapKibPerVm">Managed heap growth per VM in KiB.</param>
/// <param name="LoadEvents">Events asked of the load mode.</param>
/// <param name="LoadReceived">Events the client received.</param>
/// <param name="LoadEventsPerSecond">Received per second.</param>
public sealed record EmulatorScaleReport(string Binary, int Vms, double RssKibPerVm, double HeapKibPerVm, long LoadEvents, long LoadReceived, double LoadEventsPerSecond);
