using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Network;
using System.Diagnostics;
using System.Globalization;
using Appliance.Bench.Harness;
using Appliance.Bench.Mqtt;

namespace Appliance.Bench.Scenarios;

/// <summary>Scenario 1: the emulator's load mode streams BALLOON_CHANGE events into the appliance, which journals them
/// and mirrors them at QoS 1 to a local mosquitto; an independent <c>mosquitto_sub</c> counts what arrives. Beside it,
/// the peers: a socat | mosquitto_pub shell bridge, mosquitto's own ceiling with mosquitto_pub -l, and raw SQLite.</summary>
public static class ThroughputScenario
{
    private const string EventSuffix = "/event/BALLOON_CHANGE";

    // The journal-only run is short at the shared size (100,000 events take about a second), so start-up and JIT
    // warm-up would dominate it; it streams this many times more.
    private const int JournalOnlyScale = 4;

    // The mirror's default window.
    private const int FloodInFlight = 256;

    /// <summary>Runs the appliance and the peers with <paramref name="events"/> and <paramref name="peerEvents"/> events.</summary>
    public static async Task<ThroughputReport> RunAsync(int events, int peerEvents, CancellationToken cancellationToken)
    {
        var broker = await MosquittoBroker.StartAsync().ConfigureAwait(false);
        await using var brokerScope = broker.ConfigureAwait(false);
        var emulator = new EmulatorFixture();
        await using var emulatorScope = emulator.ConfigureAwait(false);
        var appliance = await MeasureApplianceAsync(emulator, broker, events, cancellationToken).ConfigureAwait(false);
        var journalOnly = await MeasureJournalOnlyAsync(emulator, events * JournalOnlyScale, cancellationToken).ConfigureAwait(false);
        var shell = await MeasureShellBridgeAsync(emulator, broker, peerEvents, cancellationToken).ConfigureAwait(false);
        var native = await MeasureMosquittoCeilingAsync(broker, peerEvents, cancellationToken).ConfigureAwait(false);
        var sqlite = await SqliteCeiling.MeasureAsync(peerEvents * 5, cancellationToken).ConfigureAwait(false);
        MqttFloodResult[] flood =
        [
            await MqttThroughputBench.RunInChildAsync(peerEvents, FloodInFlight, null, cancellationToken).ConfigureAwait(false),
            await MqttThroughputBench.RunInChildAsync(peerEvents, FloodInFlight, MqttThroughputBench.SmallGen0, cancellationToken).ConfigureAwait(false),
        ];
        return new ThroughputReport(appliance, journalOnly, shell, native, sqlite, flood);
    }

    /// <summary>The report's table.</summary>
    public static ResultTable ToTable(ThroughputReport report)
    {
        var table = new ResultTable("Throughput: emulator load -> appliance -> journal + MQTT QoS 1",
            "pipeline", "events sent", "journal rows", "MQTT received", "lost", "events/s", "vs appliance");
        var a = report.Appliance;
        table.Add("appliance (journal + MQTT QoS 1)", Format.Count(a.Sent), Format.Count(a.JournalRows), Format.Count(a.MqttReceived),
            Format.Count(a.Lost), Format.Rate(a.EventsPerSecond), "1.00x");
        table.Add("appliance, its journal in the same run", Format.Count(a.Sent), Format.Count(a.JournalRows), "-",
            Format.Count(a.Sent - a.JournalRows), Format.Rate(a.JournalEventsPerSecond), Format.Ratio(a.JournalEventsPerSecond / a.EventsPerSecond));
        var j = report.JournalOnly;
        table.Add("appliance, broker unreachable (journal only)", Format.Count(j.Sent), Format.Count(j.Delivered), "-",
            Format.Count(j.Sent - j.Delivered), Format.Rate(j.EventsPerSecond), Format.Ratio(j.EventsPerSecond / a.EventsPerSecond));
        foreach (var peer in new[] { report.ShellBridge, report.MosquittoCeiling, report.SqliteCeiling })
        {
            table.Add(peer.Name, Format.Count(peer.Sent), peer.Name.StartsWith("sqlite", StringComparison.Ordinal) ? Format.Count(peer.Delivered) : "-",
                peer.Name.StartsWith("sqlite", StringComparison.Ordinal) ? "-" : Format.Count(peer.Delivered), Format.Count(peer.Sent - peer.Delivered),
                Format.Rate(peer.EventsPerSecond), Format.Ratio(peer.EventsPerSecond / a.EventsPerSecond));
        }
        table.Note($"Appliance: events lost {Format.Count(a.Lost)} (target 0: {Format.Met(a.Lost == 0)}). The rate is events sent divided by the time until the last event was both committed and received by the subscriber. Against the mosquitto_pub ceiling: {Format.Ratio(a.EventsPerSecond / report.MosquittoCeiling.EventsPerSecond)} (target >= 1.0x: {Format.Met(a.EventsPerSecond >= report.MosquittoCeiling.EventsPerSecond)}).");
        table.Note($"Managed allocation of the whole process (emulator, QMP client, journal, mirror; every thread) during the appliance run: {a.AllocatedBytesPerEvent:F0} bytes per event.");
        table.Note($"Broker unreachable: the same host with its MQTT mirror pointed at a closed port, so only the journal consumes; one emulated VM into committed journal rows: {Format.Rate(j.EventsPerSecond)} events/s (target >= 100,000: {Format.Met(j.EventsPerSecond >= 100_000 && j.Delivered == j.Sent)}).");
        table.Note("Emulator and appliance share this process (the host is composed as `appliance run` composes it, attached over a unix QMP socket); mosquitto and mosquitto_sub are separate processes on the same 2 cores.");
        table.Note("Peers count what reached the subscriber. `mosquitto_pub -l` exits at end of input without waiting for its in-flight QoS 1 messages (fed `< file` it delivered 3,397 of 200,000 in an earlier full run), so both peers keep its input open after the last line and are stopped once the subscriber has everything or nothing arrives for 5 s.");
        table.Note("Shell bridge: `socat - UNIX-CONNECT:vm.qmp | grep --line-buffered BALLOON_CHANGE | mosquitto_pub -l -q 1`; native ceiling: `{ cat file; sleep 600; } | mosquitto_pub -l -q 1`; sqlite: sqlite3 CLI inserting rows of the journal's shape in one transaction (no indexes but the journal's, no fsync per row).");
        return table;
    }

    /// <summary>The mirror alone under a flood: rate, allocation per event and peak RSS, per GC setting.</summary>
    public static ResultTable ToFloodTable(ThroughputReport report)
    {
        var table = new ResultTable("MQTT mirror alone: a journal backlog flooded into mosquitto at QoS 1 (MQTTnet 5.2)",
            "GC", "events", "acknowledged/s", "bytes allocated per event", "peak RSS", "gen0 GCs", "stop ms");
        foreach (var f in report.Flood)
        {
            table.Add(f.Gc, Format.Count(f.Events), Format.Rate(f.EventsPerSecond), $"{f.BytesPerEvent:F0}", $"{f.PeakRssKib / 1024.0:F1} MiB",
                Format.Count(f.Gen0Collections), Format.Number(f.StopMilliseconds));
        }
        table.Note($"Each row is a child process (`Appliance.Bench {MqttThroughputBench.ChildArgument} EVENTS {FloodInFlight}`) with its own mosquitto: the mirror (256 in flight) drains an in-memory backlog of 4 VMs' events after a 5,000-event warm-up; bytes are GC.GetTotalAllocatedBytes(precise) over the flood, every thread, divided by the events (target <= 1,024: {Format.Met(report.Flood.All(f => f.BytesPerEvent <= 1024))}). Stop: `MqttMirror.StopAsync` right after the flood, broker connected (retained offline status and its PUBACK, then DISCONNECT).");
        return table;
    }

    private static async Task<ApplianceThroughput> MeasureApplianceAsync(EmulatorFixture emulator, MosquittoBroker broker, int events, CancellationToken cancellationToken)
    {
        using var subscriber = await TopicCounter.StartAsync(broker.Port, "bench", EventSuffix, cancellationToken).ConfigureAwait(false);
        var appliance = await StartApplianceAsync(emulator, "x", broker.Port, cancellationToken).ConfigureAwait(false);
        await using var applianceScope = appliance.ConfigureAwait(false);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var (start, _, journalDone) = await StreamLoadAsync(appliance, "x", events, cancellationToken).ConfigureAwait(false);
        long received = await subscriber.WaitForAsync(events, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        double allocated = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / events;
        long end = Math.Max(journalDone, subscriber.LastArrival);
        string rows = await ChildProcess.RunAsync("sqlite3", [appliance.JournalPath, "SELECT count(*) FROM events WHERE event = 'BALLOON_CHANGE'"],
            TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
        long journalRows = long.Parse(rows.Trim(), CultureInfo.InvariantCulture);
        return new ApplianceThroughput(events, journalRows, received, events / Stopwatch.GetElapsedTime(start, end).TotalSeconds,
            journalRows / Stopwatch.GetElapsedTime(start, journalDone).TotalSeconds, allocated);
    }

    private static async Task<PeerThroughput> MeasureJournalOnlyAsync(EmulatorFixture emulator, int events, CancellationToken cancellationToken)
    {
        var appliance = await StartApplianceAsync(emulator, "j", FreePort.Next(), cancellationToken).ConfigureAwait(false);
        await using var applianceScope = appliance.ConfigureAwait(false);
        var (start, baseline, done) = await StreamLoadAsync(appliance, "j", events, cancellationToken).ConfigureAwait(false);
        long rows = appliance.Journal.LastCommittedSeq - baseline;
        return new PeerThroughput("appliance, broker unreachable (journal only)", events, rows, rows / Stopwatch.GetElapsedTime(start, done).TotalSeconds);
    }

    private static async Task<InProcessAppliance> StartApplianceAsync(EmulatorFixture emulator, string vm, int mqttPort, CancellationToken cancellationToken)
    {
        string socket = await emulator.StartVmAsync(vm, cancellationToken).ConfigureAwait(false);
        return await InProcessAppliance.StartAsync(new Dictionary<string, string> { [vm] = socket }, mqttPort, "bench", null, cancellationToken)
            .ConfigureAwait(false);
    }

    // Asks the VM for a load of events through the appliance's own monitor and waits until they are journaled.
    private static async Task<(long Start, long Baseline, long JournalDone)> StreamLoadAsync(InProcessAppliance appliance, string vm, int events,
        CancellationToken cancellationToken)
    {
        long baseline = appliance.Journal.LastCommittedSeq;
        long start = Stopwatch.GetTimestamp();
        await appliance.ExecuteAsync(vm, "x-load", $$$"""{"count": {{{events}}}}""", cancellationToken).ConfigureAwait(false);
        long done = await WaitJournalAsync(appliance, baseline + events, cancellationToken).ConfigureAwait(false);
        return (start, baseline, done);
    }

    // Returns when the journal's sequence reaches the target or stops moving for 30 s.
    private static async Task<long> WaitJournalAsync(InProcessAppliance appliance, long target, CancellationToken cancellationToken)
    {
        long seen = -1;
        long last = Stopwatch.GetTimestamp();
        while (appliance.Journal.LastCommittedSeq < target)
        {
            long now = appliance.Journal.LastCommittedSeq;
            if (now != seen)
            {
                seen = now;
                last = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(last) > TimeSpan.FromSeconds(30))
            {
                break;
            }
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        return Stopwatch.GetTimestamp();
    }

    private static async Task<PeerThroughput> MeasureShellBridgeAsync(EmulatorFixture emulator, MosquittoBroker broker, int events, CancellationToken cancellationToken)
    {
        string socket = await emulator.StartVmAsync("shell", cancellationToken).ConfigureAwait(false);
        using var subscriber = await TopicCounter.StartAsync(broker.Port, "shell", EventSuffix, cancellationToken).ConfigureAwait(false);
        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        string pipeline = string.Create(CultureInfo.InvariantCulture,
            $$$"""{ printf '{"execute":"qmp_capabilities"}\n{"execute":"x-load","arguments":{"count":{{{events}}}}}\n'; sleep 600; } | socat -t 5 - UNIX-CONNECT:{{{socket}}} | grep --line-buffered BALLOON_CHANGE | mosquitto_pub -h 127.0.0.1 -p {{{port}}} -l -q 1 -t shell/x/event/BALLOON_CHANGE""");
        long start = Stopwatch.GetTimestamp();
        using (ChildProcess.Start("bash", ["-c", pipeline], onLine: _ => { }))
        {
            await subscriber.WaitForAsync(events, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        return Peer("shell bridge (socat | mosquitto_pub -l -q 1)", events, subscriber, start);
    }

    private static async Task<PeerThroughput> MeasureMosquittoCeilingAsync(MosquittoBroker broker, int events, CancellationToken cancellationToken)
    {
        string file = Path.GetTempFileName();
        try
        {
            var writer = new StreamWriter(file);
            await using (writer.ConfigureAwait(false))
            {
                for (int i = 0; i < events; i++)
                {
                    await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $$$"""{"timestamp":{"seconds":1700000000,"microseconds":{{{i % 1_000_000}}}},"event":"BALLOON_CHANGE","data":{"actual":{{{1L << 30}}}}}""")).ConfigureAwait(false);
                }
            }
            using var subscriber = await TopicCounter.StartAsync(broker.Port, "native", EventSuffix, cancellationToken).ConfigureAwait(false);
            string port = broker.Port.ToString(CultureInfo.InvariantCulture);
            long start = Stopwatch.GetTimestamp();
            using (ChildProcess.Start("bash", ["-c", $"{{ cat {file}; sleep 600; }} | mosquitto_pub -h 127.0.0.1 -p {port} -l -q 1 -t native/x/event/BALLOON_CHANGE"], onLine: _ => { }))
            {
                await subscriber.WaitForAsync(events, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            }
            return Peer("mosquitto ceiling (file | mosquitto_pub -l -q 1)", events, subscriber, start);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static PeerThroughput Peer(string name, int sent, TopicCounter subscriber, long start)
    {
        long delivered = subscriber.Count;
        double seconds = delivered == 0 ? double.NaN : Stopwatch.GetElapsedTime(start, subscriber.LastArrival).TotalSeconds;
        return new PeerThroughput(name, sent, delivered, delivered / seconds);
    }
}

/// <summary>What the appliance achieved.</summary>
/// <param name="Sent">Events the emulator streamed.</param>
/// <param name="JournalRows">BALLOON_CHANGE rows committed.</param>
/// <param name="MqttReceived">Messages the independent subscriber received.</param>
/// <param name="EventsPerSecond">Sent / time until journaled and received.</param>
/// <param name="JournalEventsPerSecond">Rows / time until journaled.</param>
/// <param name="AllocatedBytesPerEvent">Managed bytes the whole process allocated during the run, per event sent.</param>
public sealed record ApplianceThroughput(long Sent, long JournalRows, long MqttReceived, double EventsPerSecond, double JournalEventsPerSecond,
    double AllocatedBytesPerEvent)
{
    /// <summary>Events missing from the journal or from the subscriber, whichever misses more.</summary>
    public long Lost => Sent - Math.Min(JournalRows, MqttReceived);
}

/// <summary>One peer's figures.</summary>
/// <param name="Name">What was run.</param>
/// <param name="Sent">Events offered.</param>
/// <param name="Delivered">Events that arrived (subscriber count or rows).</param>
/// <param name="EventsPerSecond">Delivered per second.</param>
public sealed record PeerThroughput(string Name, long Sent, long Delivered, double EventsPerSecond);

/// <summary>The throughput scenario's figures.</summary>
/// <param name="Appliance">The appliance.</param>
/// <param name="JournalOnly">The appliance with its broker unreachable: one VM into committed journal rows.</param>
/// <param name="ShellBridge">socat | mosquitto_pub.</param>
/// <param name="MosquittoCeiling">mosquitto_pub -l from a file.</param>
/// <param name="SqliteCeiling">Raw SQLite inserts.</param>
/// <param name="Flood">The MQTT mirror alone draining a backlog, per GC setting.</param>
public sealed record ThroughputReport(ApplianceThroughput Appliance, PeerThroughput JournalOnly, PeerThroughput ShellBridge, PeerThroughput MosquittoCeiling,
    PeerThroughput SqliteCeiling, IReadOnlyList<MqttFloodResult> Flood);
