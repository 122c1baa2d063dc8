using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Appliance.Bench.Harness;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bench.Scenarios;

/// <summary>Event to subscriber: the time from a QMP event's own <c>timestamp</c> to its arrival at an independent
/// <c>mosquitto_sub</c> (<c>-F '%U %p'</c>), for the appliance and for the shell bridge a sysadmin would write, in the same
/// run. An emulated VM runs as its own process (<c>appliance emu</c>); a driver on a second QMP connection alternates
/// <c>stop</c>/<c>cont</c> at each rate, with the guest hung and a 2 s watchdog armed, so WATCHDOG, a critical event, fires
/// every 2 s of running time.</summary>
public static class EventLatencyScenario
{
    private const string Critical = "WATCHDOG";
    // Longer than the one-second throttle QEMU (and the emulator) applies to WATCHDOG, so no sample is a held-back one.
    private const int WatchdogSeconds = 2;

    /// <summary>Runs each pipeline at each rate, interleaved, <paramref name="events"/> ordinary events per rate and at
    /// least <paramref name="minimum"/> of driving, so that a few watchdog expiries fall into every run.</summary>
    public static async Task<IReadOnlyList<EventLatencyRow>> RunAsync(int[] rates, int events, TimeSpan minimum, CancellationToken cancellationToken)
    {
        var broker = await MosquittoBroker.StartAsync().ConfigureAwait(false);
        await using var brokerScope = broker.ConfigureAwait(false);
        string dir = Directory.CreateTempSubdirectory("bench-latency-").FullName;
        string socket = Path.Combine(dir, "x.qmp");
        using var emulator = ChildProcess.Start(ApplianceBinaries.Jit, ["emu", "--qmp", "unix:" + socket, "--name", "x", "--watchdog-action", "none"], onLine: _ => { });
        try
        {
            await QmpDriver.WaitForSocketAsync(socket, cancellationToken).ConfigureAwait(false);
            var rows = new List<EventLatencyRow>();
            var appliance = await InProcessAppliance.StartAsync(new Dictionary<string, string> { ["x"] = socket }, broker.Port, "bench", null, cancellationToken)
                .ConfigureAwait(false);
            await using (appliance.ConfigureAwait(false))
            {
                foreach (int rate in rates)
                {
                    rows.AddRange(await MeasureAsync("appliance", socket, broker.Port, "bench/bench/vm/x/event/+", rate, events, minimum, cancellationToken)
                        .ConfigureAwait(false));
                }
            }
            foreach (int rate in rates)
            {
                rows.AddRange(await MeasureShellBridgeAsync(socket, broker.Port, rate, events, minimum, cancellationToken).ConfigureAwait(false));
            }
            return rows;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The report's table.</summary>
    public static ResultTable ToTable(IReadOnlyList<EventLatencyRow> rows)
    {
        var table = new ResultTable("Event latency: QMP event timestamp -> MQTT subscriber",
            "pipeline", "events/s", "kind", "sent", "received", "p50 ms", "p90 ms", "p99 ms", "max ms", "read p50/p99 ms", "target p99");
        foreach (var r in rows)
        {
            double target = r.Rate >= 1000 ? 20 : 10;
            string met = r.Pipeline.StartsWith("appliance", StringComparison.Ordinal) && r.Kind == "ordinary"
                ? $"<= {target:0} ms: {Format.Met(r.Count > 0 && r.P99 <= target)}"
                : "-";
            table.Add(r.Pipeline, Format.Count(r.Rate), r.Kind, r.Sent < 0 ? "-" : Format.Count(r.Sent), Format.Count(r.Count), Ms(r.P50), Ms(r.P90), Ms(r.P99), Ms(r.Max),
                double.IsFinite(r.ReadP50) ? $"{Ms(r.ReadP50)} / {Ms(r.ReadP99)}" : "-", met);
        }
        table.Note("Latency is the subscriber's receive time (`mosquitto_sub -F '%U %p'`, QoS 1) minus the event's own QMP `timestamp`; both clocks are this machine's. "
            + "Ordinary events are STOP/RESUME; critical ones are WATCHDOG, from a hung guest's 2 s watchdog (action none), so they are few per run.");
        table.Note("Appliance: composed as `appliance run` composes it (default journal and MQTT settings), attached with `--vm` to an `appliance emu` process; it publishes an event only after the journal committed it. "
            + "Shell bridge: `socat - UNIX-CONNECT:vm.qmp | grep --line-buffered '\"event\"' | mosquitto_pub -l -q 1` on the same VM, no journal. "
            + "`read` is the part before the appliance: from the QMP timestamp to its monitor reading the event (the `received` member of its message).");
        return table;
    }

    private static string Ms(double value) => double.IsFinite(value) ? value.ToString("0.0", CultureInfo.InvariantCulture) : "n/a";

    private static async Task<IReadOnlyList<EventLatencyRow>> MeasureShellBridgeAsync(string socket, int port, int rate, int events, TimeSpan minimum,
        CancellationToken cancellationToken)
    {
        string pipeline = string.Create(CultureInfo.InvariantCulture,
            $$$"""{ printf '{"execute":"qmp_capabilities"}\n'; sleep 3600; } | socat -t 5 - UNIX-CONNECT:{{{socket}}} | grep --line-buffered '"event"' | mosquitto_pub -h 127.0.0.1 -p {{{port}}} -l -q 1 -t shell/x/event""");
        using var bridge = ChildProcess.Start("bash", ["-c", pipeline], onLine: _ => { });
        // The bridge is live once a first event makes it through.
        await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        return await MeasureAsync("shell bridge", socket, port, "shell/x/event", rate, events, minimum, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<EventLatencyRow>> MeasureAsync(string pipeline, string socket, int port, string topic, int rate, int events,
        TimeSpan minimum, CancellationToken cancellationToken)
    {
        var samples = new LatencySamples();
        using var subscriber = ChildProcess.Start("mosquitto_sub",
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", topic, "-F", "%U %p"], samples.OnLine);
        await Task.Delay(300, cancellationToken).ConfigureAwait(false);
        using var driver = await QmpDriver.ConnectAsync(socket, cancellationToken).ConfigureAwait(false);
        double from = UnixNow();
        await driver.DriveAsync(rate, events, minimum, WatchdogSeconds, cancellationToken).ConfigureAwait(false);
        int sent = driver.Sent;
        // Everything sent has had time to arrive once the subscriber is quiet for a second.
        await samples.WaitQuietAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var ordinary = samples.Since(from, e => e != Critical);
        var critical = samples.Since(from, e => e == Critical);
        return [EventLatencyRow.Of(pipeline, rate, "ordinary", sent, ordinary), EventLatencyRow.Of(pipeline, rate, Critical, driver.Watchdogs, critical)];
    }

    private static double UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>What the subscriber received: event name, QMP time and receive time (Unix seconds).</summary>
    private sealed class LatencySamples
    {
        private readonly Lock _lock = new();
        private readonly List<(string Event, double Emitted, double Read, double Received)> _samples = [];
        private long _lastLine = Stopwatch.GetTimestamp();

        public void OnLine(string line)
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !double.TryParse(line.AsSpan(0, space), NumberStyles.Float, CultureInfo.InvariantCulture, out double received)) return;
            try
            {
                using var doc = JsonDocument.Parse(line.AsMemory(space + 1));
                var root = doc.RootElement;
                if (!root.TryGetProperty("event", out var name) || !root.TryGetProperty("timestamp", out var ts)) return;
                double emitted = ts.GetProperty("seconds").GetInt64() + ts.GetProperty("microseconds").GetInt64() / 1e6;
                // The appliance adds when its monitor read the event: the split between QEMU's side and ours.
                double read = root.TryGetProperty("received", out var r) && r.TryGetDateTimeOffset(out var at)
                    ? at.ToUnixTimeMilliseconds() / 1000.0 + at.Ticks % TimeSpan.TicksPerMillisecond / 1e7
                    : double.NaN;
                lock (_lock) _samples.Add((name.GetString()!, emitted, read, received));
                Interlocked.Exchange(ref _lastLine, Stopwatch.GetTimestamp());
            }
            catch (JsonException)
            {
                // Not an event message.
            }
        }

        public async Task WaitQuietAsync(TimeSpan quiet, TimeSpan limit, CancellationToken cancellationToken)
        {
            var waited = Stopwatch.StartNew();
            while (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastLine)) < quiet && waited.Elapsed < limit)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Sorted latencies in ms of the events emitted since <paramref name="from"/>: to the subscriber, and to the
        /// appliance's monitor reading it (NaN where the message does not say).</summary>
        public (double[] Total, double[] ToRead) Since(double from, Func<string, bool> kind)
        {
            lock (_lock)
            {
                var chosen = _samples.Where(s => s.Emitted >= from && kind(s.Event)).ToList();
                return (chosen.Select(s => (s.Received - s.Emitted) * 1000).Order().ToArray(),
                    chosen.Where(s => double.IsFinite(s.Read)).Select(s => (s.Read - s.Emitted) * 1000).Order().ToArray());
            }
        }
    }
}

/// <summary>One pipeline, rate and kind of event.</summary>
/// <param name="Pipeline">appliance or shell bridge.</param>
/// <param name="Rate">Ordinary events per second the driver asked for.</param>
/// <param name="Kind">ordinary or WATCHDOG.</param>
/// <param name="Sent">Events the driver caused (for WATCHDOG: those its own monitor connection saw).</param>
/// <param name="Count">Samples received.</param>
/// <param name="P50">Median, ms.</param>
/// <param name="P90">90th percentile, ms.</param>
/// <param name="P99">99th percentile, ms.</param>
/// <param name="Max">Largest, ms.</param>
/// <param name="ReadP50">Median from the QMP timestamp to the appliance's monitor reading the event, ms (NaN for the shell bridge).</param>
/// <param name="ReadP99">99th percentile of the same, ms.</param>
public sealed record EventLatencyRow(string Pipeline, int Rate, string Kind, int Sent, int Count, double P50, double P90, double P99, double Max,
    double ReadP50, double ReadP99)
{
    /// <summary>The row for sorted samples in ms.</summary>
    public static EventLatencyRow Of(string pipeline, int rate, string kind, int sent, (double[] Total, double[] ToRead) sorted) =>
        new(pipeline, rate, kind, sent, sorted.Total.Length, Percentile(sorted.Total, 0.50), Percentile(sorted.Total, 0.90), Percentile(sorted.Total, 0.99),
            sorted.Total.Length == 0 ? double.NaN : sorted.Total[^1], Percentile(sorted.ToRead, 0.50), Percentile(sorted.ToRead, 0.99));

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
