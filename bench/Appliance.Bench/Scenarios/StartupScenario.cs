using Appliance.TestSupport.Systemd;
using Appliance.TestSupport.Mosquitto;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Appliance.Bench.Harness;

namespace Appliance.Bench.Scenarios;

/// <summary>Scenario 3: exec to READY=1 with 4 VMs configured, idle RSS, RSS with 64 VMs attached, and binary size, for the
/// NativeAOT binary and the JIT build side by side.</summary>
public static partial class StartupScenario
{
    /// <summary>Measures each build that exists; <paramref name="repetitions"/> starts each for the exec-to-READY median.</summary>
    public static async Task<StartupReport> RunAsync(int repetitions, CancellationToken cancellationToken)
    {
        var broker = await MosquittoBroker.StartAsync().ConfigureAwait(false);
        await using var brokerScope = broker.ConfigureAwait(false);
        var emulator = new EmulatorFixture();
        await using var emulatorScope = emulator.ConfigureAwait(false);
        var vms = new List<string>();
        for (int i = 0; i < 4; i++) vms.Add($"vm{i}=unix:" + await emulator.StartVmAsync("vm" + i, cancellationToken).ConfigureAwait(false));
        var builds = new List<StartupFigures>();
        var skipped = new List<string>();
        foreach (var (name, path, size) in new[]
        {
            ("NativeAOT", ApplianceBinaries.Aot, ApplianceBinaries.AotIsCurrent ? new FileInfo(ApplianceBinaries.Aot).Length : 0),
            ("JIT (framework-dependent)", ApplianceBinaries.Jit, File.Exists(ApplianceBinaries.Jit) ? ApplianceBinaries.JitDeploymentBytes() : 0),
        })
        {
            if (size == 0)
            {
                skipped.Add($"{name}: {path} is missing or older than the build (run scripts/publish-aot.sh first)");
                continue;
            }
            var launcher = new ApplianceLauncher(path, broker.Port);
            var ready = new List<double>();
            for (int r = 0; r < repetitions; r++)
                ready.Add(await launcher.TimeToReadyAsync(vms, cancellationToken).ConfigureAwait(false));
            ready.Sort();
            var floor = new List<double>();
            for (int r = 0; r < repetitions; r++) floor.Add(await launcher.TimeToExitAsync(["--version"], cancellationToken).ConfigureAwait(false));
            floor.Sort();
            var stopBroker = new List<double>();
            var stopNone = new List<double>();
            for (int r = 0; r < repetitions; r++)
            {
                stopBroker.Add(await launcher.TimeToStopAsync(vms, broker.Port, cancellationToken).ConfigureAwait(false));
                stopNone.Add(await launcher.TimeToStopAsync(vms, Appliance.TestSupport.Network.FreePort.Next(), cancellationToken).ConfigureAwait(false));
            }
            stopBroker.Sort();
            stopNone.Sort();
            long idle = await launcher.IdleRssAsync(vms, cancellationToken).ConfigureAwait(false);
            var (attached, rss64) = await launcher.RssWithEmulatedVmsAsync(64, cancellationToken).ConfigureAwait(false);
            builds.Add(new StartupFigures(name, ready[ready.Count / 2], ready[0], floor[floor.Count / 2], idle, attached, rss64, size,
                stopBroker[stopBroker.Count / 2], stopNone[stopNone.Count / 2]));
        }
        return new StartupReport(builds, skipped);
    }

    /// <summary>The report's table.</summary>
    public static ResultTable ToTable(StartupReport report)
    {
        var table = new ResultTable("Start-up and footprint (`appliance run`, 4 VMs configured)",
            "build", "exec->READY=1 median ms", "best ms", "`--version` exec->exit ms", "idle RSS MiB", "VMs attached", "RSS with 64 VMs MiB", "size MB",
            "SIGTERM->exit ms, broker", "SIGTERM->exit ms, no broker");
        foreach (var b in report.Builds)
        {
            table.Add(b.Build, Format.Number(b.ReadyMedianMs), Format.Number(b.ReadyBestMs), Format.Number(b.VersionMedianMs), Format.Number(b.IdleRssKib / 1024.0),
                Format.Count(b.Attached), Format.Number(b.Rss64Kib / 1024.0), Format.Number(b.SizeBytes / 1e6),
                Format.Number(b.StopBrokerMs), Format.Number(b.StopNoBrokerMs));
        }
        if (report.Builds.FirstOrDefault(b => b.Build == "NativeAOT") is { } aot)
        {
            table.Note($"Targets (NativeAOT): exec->READY <= 50 ms {Format.Met(aot.ReadyMedianMs <= 50)}; idle RSS <= 25 MB {Format.Met(aot.IdleRssKib <= 25 * 1024)}; binary <= 20 MB {Format.Met(aot.SizeBytes <= 20_000_000)}.");
        }
        foreach (var b in report.Builds)
        {
            table.Note($"Clean stop ({b.Build}): SIGTERM->exit 0 <= 500 ms with a broker {Format.Met(b.StopBrokerMs <= 500)}, without one {Format.Met(b.StopNoBrokerMs <= 500)}.");
        }
        foreach (string s in report.Skipped) table.Note("Skipped " + s);
        table.Note("READY=1 arrives on a unix datagram socket the harness binds as NOTIFY_SOCKET; RSS is VmRSS 3 s after READY. 64 VMs: `appliance emu --qmp 'unix:DIR/vm{n}.qmp' --count 64` in another process, `appliance run` with Monitors:Glob DIR/*.qmp, RSS once the status socket reports 64 monitors running.");
        table.Note("exec->READY is timed from Process.Start to the datagram, the median of the starts; other engineers' builds share these 2 cores, so medians vary run to run (the best start is the less disturbed figure).");
        table.Note("SIGTERM->exit: the median of the starts, timed from sending SIGTERM (via kill(1)) one second after READY=1 to the exit, with the 4 VMs attached; 'no broker' points the mirror at a port nobody listens on. A stop that is not exit 0 fails the run.");
        table.Note("JIT size: the framework-dependent build folder without .pdb/.xml (the shared .NET runtime, ~70 MB, comes on top).");
        return table;
    }

    [GeneratedRegex("\"monitor\"\\s*:\\s*\"running\"")]
    private static partial Regex RunningMonitor();

    /// <summary>Starts one build of the appliance in a fresh temp directory per launch.</summary>
    private sealed class ApplianceLauncher(string binary, int mqttPort)
    {
        public async Task<double> TimeToReadyAsync(IReadOnlyList<string> vms, CancellationToken cancellationToken)
        {
            using var run = await StartRunAsync(vms, glob: null, cancellationToken).ConfigureAwait(false);
            return run.ReadyMilliseconds;
        }

        // The floor under exec->READY: process start, runtime start and exit, with no host built.
        public async Task<double> TimeToExitAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
        {
            long start = Stopwatch.GetTimestamp();
            await ChildProcess.RunAsync(binary, args, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        /// <summary>Starts, waits for READY=1 and a second more, sends SIGTERM and times until the process has exited 0.</summary>
        public async Task<double> TimeToStopAsync(IReadOnlyList<string> vms, int port, CancellationToken cancellationToken)
        {
            using var run = await StartRunAsync(vms, glob: null, cancellationToken, port).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            long start = Stopwatch.GetTimestamp();
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", run.Process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(60));
            await run.Process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (run.Process.ExitCode != 0) throw new InvalidOperationException($"{binary} exited {run.Process.ExitCode} on SIGTERM");
            return ms;
        }

        public async Task<long> IdleRssAsync(IReadOnlyList<string> vms, CancellationToken cancellationToken)
        {
            using var run = await StartRunAsync(vms, glob: null, cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            return ProcFs.ResidentKib(run.Process.Id);
        }

        public async Task<(int Attached, long RssKib)> RssWithEmulatedVmsAsync(int count, CancellationToken cancellationToken)
        {
            var dir = Directory.CreateTempSubdirectory("bench-emu64-");
            try
            {
                using var emu = ChildProcess.Start(binary, ["emu", "--qmp", $"unix:{dir.FullName}/vm{{n}}.qmp", "--count", count.ToString(CultureInfo.InvariantCulture)],
                    onLine: _ => { });
                var deadline = Stopwatch.StartNew();
                while (Directory.GetFiles(dir.FullName, "*.qmp").Length < count && deadline.Elapsed < TimeSpan.FromSeconds(30))
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                using var run = await StartRunAsync([], Path.Combine(dir.FullName, "*.qmp"), cancellationToken).ConfigureAwait(false);
                int attached = 0;
                deadline.Restart();
                while (attached < count && deadline.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(500, cancellationToken).ConfigureAwait(false);
                    attached = await run.RunningMonitorsAsync(binary, cancellationToken).ConfigureAwait(false);
                }
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                return (attached, ProcFs.ResidentKib(run.Process.Id));
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        private async Task<RunningAppliance> StartRunAsync(IReadOnlyList<string> vms, string? glob, CancellationToken cancellationToken, int? port = null)
        {
            var dir = Directory.CreateTempSubdirectory("bench-run-");
            var notify = new NotifySocket(Path.Combine(dir.FullName, "notify.sock"));
            var args = new List<string> { "run", "--dashboard", "off", "--journal", Path.Combine(dir.FullName, "journal.db"),
                "--mqtt", "127.0.0.1:" + (port ?? mqttPort).ToString(CultureInfo.InvariantCulture) };
            foreach (string vm in vms) args.AddRange(["--vm", vm]);
            var env = new Dictionary<string, string>
            {
                ["NOTIFY_SOCKET"] = notify.Path,
                ["APPLIANCE__NODE"] = "bench",
                ["APPLIANCE__STATEDIRECTORY"] = dir.FullName,
                ["APPLIANCE__RUNTIMEDIRECTORY"] = Path.Combine(dir.FullName, "run"),
            };
            if (glob is not null) env["APPLIANCE__MONITORS__GLOB"] = glob;
            long start = Stopwatch.GetTimestamp();
            var process = ChildProcess.Start(binary, args, onLine: _ => { }, environment: env);
            var running = new RunningAppliance(process, notify, dir);
            if (!await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false))
            {
                running.Dispose();
                throw new TimeoutException($"{binary} run sent no READY=1 within 30 s");
            }
            running.ReadyMilliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            return running;
        }
    }

    private sealed class RunningAppliance(ChildProcess process, NotifySocket notify, DirectoryInfo dir) : IDisposable
    {
        public ChildProcess Process => process;

        public double ReadyMilliseconds { get; set; }

        public async Task<int> RunningMonitorsAsync(string binary, CancellationToken cancellationToken)
        {
            try
            {
                string json = await ChildProcess.RunAsync(binary, ["status", "--json", "--socket", Path.Combine(dir.FullName, "run", "appliance.sock")],
                    TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
                return RunningMonitor().Count(json);
            }
            catch (InvalidOperationException)
            {
                return 0;
            }
        }

        public void Dispose()
        {
            process.Dispose();
            notify.Dispose();
            dir.Delete(recursive: true);
        }
    }
}

/// <summary>One build's start-up and footprint.</summary>
/// <param name="Build">NativeAOT or JIT.</param>
/// <param name="ReadyMedianMs">Median exec to READY=1.</param>
/// <param name="ReadyBestMs">Best exec to READY=1.</param>
/// <param name="VersionMedianMs">Median exec to exit of <c>appliance --version</c>: the process start-up floor.</param>
/// <param name="IdleRssKib">VmRSS with 4 idle VMs attached.</param>
/// <param name="Attached">Monitors running in the 64-VM run.</param>
/// <param name="Rss64Kib">VmRSS with them attached.</param>
/// <param name="SizeBytes">Binary (AOT) or deployment folder (JIT) size.</param>
/// <param name="StopBrokerMs">Median SIGTERM to exit with a broker connected.</param>
/// <param name="StopNoBrokerMs">Median SIGTERM to exit with no broker reachable.</param>
public sealed record StartupFigures(string Build, double ReadyMedianMs, double ReadyBestMs, double VersionMedianMs, long IdleRssKib, int Attached, long Rss64Kib, long SizeBytes,
    double StopBrokerMs, double StopNoBrokerMs);

/// <summary>The start-up scenario's figures.</summary>
/// <param name="Builds">Each build measured.</param>
/// <param name="Skipped">Builds not found, with why.</param>
public sealed record StartupReport(IReadOnlyList<StartupFigures> Builds, IReadOnlyList<string> Skipped);
