using System.Diagnostics;
using System.Globalization;
using Appliance.Bench.Harness;
using Appliance.Bench.Mqtt;
using Appliance.Bridge.Mqtt;
using Appliance.TestSupport.Mosquitto;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Bench.Scenarios;

/// <summary>Backlog drain after a broker outage: two emulated VMs stream BALLOON_CHANGE events at a steady rate into
/// the appliance (journal + MQTT mirror, composed as <c>appliance run</c> composes it); the broker is stopped for the
/// outage and started again on the same port (persistence on, so the subscriber's session survives); events keep
/// arriving throughout. An independent <c>mosquitto_sub -q 1 -c</c> counts distinct seqs, duplicates and order per VM.</summary>
public static class DrainScenario
{
    private const string Root = "drain";
    private const string EventName = "BALLOON_CHANGE";
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>The arrival rate and outage of a mode: full is the 10 minutes, quick 30 s, smoke 3 s.</summary>
    public static (int RatePerSecond, TimeSpan Outage) SettingsFor(string mode) => mode switch
    {
        "smoke" => (200, TimeSpan.FromSeconds(3)),
        "quick" => (1_000, TimeSpan.FromSeconds(30)),
        _ => (1_000, TimeSpan.FromMinutes(10)),
    };

    /// <summary>Runs one outage of <paramref name="outage"/> with events arriving at <paramref name="ratePerSecond"/>.</summary>
    public static async Task<DrainReport> RunAsync(int ratePerSecond, TimeSpan outage, CancellationToken cancellationToken)
    {
        var broker = await MosquittoBroker.StartAsync().ConfigureAwait(false);
        await using var brokerScope = broker.ConfigureAwait(false);
        var emulator = new EmulatorFixture();
        await using var emulatorScope = emulator.ConfigureAwait(false);
        var vms = new Dictionary<string, string>
        {
            ["x"] = await emulator.StartVmAsync("x", cancellationToken).ConfigureAwait(false),
            ["y"] = await emulator.StartVmAsync("y", cancellationToken).ConfigureAwait(false),
        };
        using var counter = await SeqCounter.StartAsync(broker.Port, Root, EventName, cancellationToken).ConfigureAwait(false);
        var appliance = await InProcessAppliance.StartAsync(vms, broker.Port, Root, null, cancellationToken).ConfigureAwait(false);
        await using var applianceScope = appliance.ConfigureAwait(false);
        var mirror = appliance.Services.GetRequiredService<MqttMirror>();
        await UntilAsync(() => mirror.IsConnected, "the mirror to connect", cancellationToken).ConfigureAwait(false);

        var load = new SteadyLoad(appliance, [.. vms.Keys], ratePerSecond);
        var loading = load.RunAsync(cancellationToken);
        await Task.Delay(Warmup, cancellationToken).ConfigureAwait(false);

        await broker.StopAsync().ConfigureAwait(false);
        await UntilAsync(() => !mirror.IsConnected, "the mirror to notice the outage", cancellationToken).ConfigureAwait(false);
        await Task.Delay(outage, cancellationToken).ConfigureAwait(false);

        await broker.RestartAsync().ConfigureAwait(false);
        long restarted = Stopwatch.GetTimestamp();
        long backlog = appliance.Journal.LastCommittedSeq - mirror.DeliveredThrough;
        await UntilAsync(() => mirror.IsConnected, "the mirror to reconnect", cancellationToken).ConfigureAwait(false);
        long reconnected = Stopwatch.GetTimestamp();
        // The backlog is drained once every event that had arrived by the reconnection has reached the subscriber.
        long target = load.Sent;
        long deliveredBefore = counter.Distinct;
        await UntilAsync(() => counter.Distinct >= target, "the backlog to drain", cancellationToken).ConfigureAwait(false);
        long drained = Stopwatch.GetTimestamp();
        long drainedEvents = counter.Distinct - deliveredBefore;

        load.Stop();
        await loading.ConfigureAwait(false);
        long journaled = await JournaledAsync(appliance, load.Sent, cancellationToken).ConfigureAwait(false);
        long received = await counter.WaitForAsync(journaled, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return new DrainReport(ratePerSecond, outage, load.Sent, journaled, received, backlog,
            Stopwatch.GetElapsedTime(restarted, reconnected), drainedEvents, Stopwatch.GetElapsedTime(reconnected, drained),
            counter.Duplicates, counter.OutOfOrder);
    }

    /// <summary>The report's table.</summary>
    public static ResultTable ToTable(DrainReport r)
    {
        var table = new ResultTable($"Backlog drain after a {Format.Number(r.Outage.TotalSeconds, 0)} s broker outage, events arriving at {Format.Rate(r.RatePerSecond)}/s",
            "figure", "value");
        table.Add("backlog when the broker came back (events)", Format.Count(r.Backlog));
        table.Add("broker restart -> mirror reconnected (s)", Format.Number(r.Reconnect.TotalSeconds, 2));
        table.Add("drained (events, backlog plus arrivals meanwhile)", Format.Count(r.DrainedEvents));
        table.Add("drain time after reconnection (s)", Format.Number(r.DrainTime.TotalSeconds, 2));
        table.Add("drain rate (events/s delivered)", Format.Rate(r.DrainPerSecond));
        table.Add("drain rate / arrival rate", Format.Ratio(r.DrainRatio) + $" (target >= 2: {Format.Met(r.DrainRatio >= 2)})");
        table.Add("events generated / journaled / received", $"{Format.Count(r.Sent)} / {Format.Count(r.Journaled)} / {Format.Count(r.Received)}");
        table.Add("events lost", Format.Count(r.Lost) + $" (target 0: {Format.Met(r.Lost == 0)})");
        table.Add("duplicates (same seq again)", Format.Count(r.Duplicates));
        table.Add("out of order within a VM", Format.Count(r.OutOfOrder) + $" (target 0: {Format.Met(r.OutOfOrder == 0)})");
        table.Note("Two emulated VMs (`x-load` in 100 ms steps, half the rate each) -> appliance (journal + MQTT mirror, default settings: 256 in flight, reconnect back-off 1-60 s) -> mosquitto 2.0 on loopback; the broker is stopped with SIGTERM and started again on the same port.");
        table.Note("Drain rate: distinct events the subscriber received from the mirror's reconnection until it had every event generated before the reconnection, over that time; arrivals continue meanwhile. Reconnection time is the mirror's knock interval while the broker is unreachable (ReconnectDelay, 1 s by default).");
        return table;
    }

    /// <summary>BALLOON_CHANGE rows in the journal once all <paramref name="sent"/> are there (or 30 s passed).</summary>
    private static async Task<long> JournaledAsync(InProcessAppliance appliance, long sent, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            string rows = await ChildProcess.RunAsync("sqlite3", [appliance.JournalPath, $"SELECT count(*) FROM events WHERE event = '{EventName}'"],
                TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
            long count = long.Parse(rows.Trim(), CultureInfo.InvariantCulture);
            if (count >= sent || waited.Elapsed > TimeSpan.FromSeconds(30)) return count;
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task UntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > Patience) throw new TimeoutException($"drain scenario: timed out waiting for {what}");
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Asks the VMs for BALLOON_CHANGE events every 100 ms so that, on average, <c>rate</c> per second arrive.</summary>
    private sealed class SteadyLoad(InProcessAppliance appliance, string[] vms, int rate)
    {
        private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);
        private readonly CancellationTokenSource _stop = new();
        private long _sent;

        public long Sent => Interlocked.Read(ref _sent);

        public void Stop() => _stop.Cancel();

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            // Stopping ends the wait between steps, never a request the VM may already be answering (its events
            // would arrive uncounted).
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
            using var timer = new PeriodicTimer(Step);
            var clock = Stopwatch.StartNew();
            int next = 0;
            try
            {
                while (await timer.WaitForNextTickAsync(linked.Token).ConfigureAwait(false))
                {
                    // Catch up after a late tick, so the average stays at the rate.
                    long due = (long)(clock.Elapsed.TotalSeconds * rate) - Sent;
                    if (due <= 0) continue;
                    string vm = vms[next++ % vms.Length];
                    await appliance.ExecuteAsync(vm, "x-load", $$"""{"count": {{due}}}""", cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref _sent, due);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopped.
            }
        }
    }
}

/// <summary>Figures of one drain run.</summary>
/// <param name="RatePerSecond">Arrival rate.</param>
/// <param name="Outage">How long the broker was down.</param>
/// <param name="Sent">Events the VMs were asked for.</param>
/// <param name="Journaled">BALLOON_CHANGE rows in the journal.</param>
/// <param name="Received">Distinct events the subscriber received (once all journaled ones arrived, or none for 30 s).</param>
/// <param name="Backlog">Journal rows not yet delivered when the broker came back.</param>
/// <param name="Reconnect">Broker listening again until the mirror was connected.</param>
/// <param name="DrainedEvents">Distinct events delivered during the drain.</param>
/// <param name="DrainTime">Reconnection until the subscriber had every event generated before it.</param>
/// <param name="Duplicates">Re-sent events (same seq).</param>
/// <param name="OutOfOrder">Events that overtook an earlier one of their VM.</param>
public sealed record DrainReport(int RatePerSecond, TimeSpan Outage, long Sent, long Journaled, long Received, long Backlog,
    TimeSpan Reconnect, long DrainedEvents, TimeSpan DrainTime, long Duplicates, long OutOfOrder)
{
    /// <summary>Delivered per second while draining.</summary>
    public double DrainPerSecond => DrainedEvents / DrainTime.TotalSeconds;

    /// <summary>Drain rate over arrival rate (target at least 2).</summary>
    public double DrainRatio => DrainPerSecond / RatePerSecond;

    /// <summary>Events generated that never reached the journal or the subscriber.</summary>
    public long Lost => Sent - Math.Min(Journaled, Received);
}
