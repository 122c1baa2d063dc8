using System.Diagnostics;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bench.Journal;

/// <summary>Time from publishing a critical event until it is durable (its record written by the critical lane, or its
/// commit synced, whichever comes first) and until its commit is reported (<see cref="IJournalReader.WaitForCommitAsync"/>
/// reports a critical commit once it is synced), while ordinary events flow at a steady background rate.</summary>
public static class JournalCriticalLatencyBench
{
    /// <summary>Latency percentiles, the background rate actually reached, and the floor any sync of a critical event
    /// stands on: one synced 512-byte write to a file of its own, timed after each sample under the same load.</summary>
    public sealed record Result(int BatchMaxEvents, int Samples, int SpacingMilliseconds, double BackgroundEventsPerSecond, long Commits,
        Percentiles SyncedWrite, Percentiles Durable, Percentiles Committed);

    /// <summary>p50, p99 and max in milliseconds.</summary>
    public sealed record Percentiles(double P50Milliseconds, double P99Milliseconds, double MaxMilliseconds);

    /// <summary>Publishes <paramref name="samples"/> critical events, one every <paramref name="spacingMilliseconds"/>
    /// (plus the wait for the previous one), amid <paramref name="backgroundEventsPerSecond"/> ordinary events per second.</summary>
    public static async Task<Result> RunAsync(string directory, int samples, int backgroundEventsPerSecond,
        int pageSize = 4096, int batchMaxEvents = 512, int spacingMilliseconds = 5, CancellationToken cancellationToken = default)
    {
        var options = JournalBenchSuite.WithCheckpointFromEnvironment(new JournalOptions
        {
            Path = Path.Combine(directory, $"latency-{backgroundEventsPerSecond}-{pageSize}-{batchMaxEvents}-{spacingMilliseconds}.db"),
            NewJournalPageSize = pageSize,
            BatchMaxEvents = batchMaxEvents,
        });
        using var journal = EventJournal.Open(options);
        // Sequence numbers below are counted from 1: a journal left by another run would make every wait return at once.
        if (journal.LastCommittedSeq != 0) throw new InvalidOperationException($"'{options.Path}' is not a fresh journal.");
        var hub = new EventHub();
        using var writer = new JournalWriter(journal, hub, options, NullLogger<JournalWriter>.Instance, TimeProvider.System);
        await writer.StartAsync(cancellationToken).ConfigureAwait(false);

        // Publishing under one lock numbers the events: the journal is fresh, so the n-th published event gets seq n.
        using var publishLock = new SemaphoreSlim(1);
        long published = 0;
        async Task<long> PublishAsync(IReadOnlyList<VmEvent> events, long first, long count, CancellationToken ct)
        {
            await publishLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                for (long i = first; i < first + count; i++)
                {
                    await hub.PublishAsync(events[(int)(i % events.Count)], ct).ConfigureAwait(false);
                    published++;
                }
                return published;
            }
            finally
            {
                publishLock.Release();
            }
        }

        // The load: one emulated VM; the critical event comes from the same VM.
        var background = BenchEvents.Create(10_000, vms: 1, names: 2);
        VmEvent[] critical = [BenchEvents.Create(1, vms: 1, critical: true)[0]];
        using var stopFlood = new CancellationTokenSource();
        var floodClock = Stopwatch.StartNew();
        long flooded = 0;
        var flood = Task.Run(async () =>
        {
            while (!stopFlood.IsCancellationRequested)
            {
                long due = (long)(floodClock.Elapsed.TotalSeconds * backgroundEventsPerSecond);
                // Bursts of at most 1024 events per lock hold, so the critical publisher gets the lock between them.
                long burst = Math.Min(due - flooded, 1024);
                if (burst > 0) await PublishAsync(background, flooded, burst, stopFlood.Token).ConfigureAwait(false);
                flooded += burst;
                await Task.Delay(1, stopFlood.Token).ConfigureAwait(false);
            }
        }, CancellationToken.None);

        var durable = new double[samples];
        var committed = new double[samples];
        var lane = writer.CriticalLane ?? throw new InvalidOperationException("The journal's critical lane did not start.");
        using var probe = SyncedWriteProbe.Create(options.Path + "-probe");
        var syncedWrites = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            await Task.Delay(spacingMilliseconds, cancellationToken).ConfigureAwait(false);
            // A new instance each time: the lane knows events by reference.
            VmEvent[] sample = [critical[0] with { }];
            var isDurable = lane.WhenDurableAsync(sample[0]);
            long start = Stopwatch.GetTimestamp();
            long seq = await PublishAsync(sample, 0, 1, cancellationToken).ConfigureAwait(false);
            // The moment the lane's write (or the commit) returned, not when this continuation got a thread.
            durable[i] = Stopwatch.GetElapsedTime(start, await isDurable.WaitAsync(cancellationToken).ConfigureAwait(false)).TotalMilliseconds;
            await journal.WaitForCommitAsync(seq - 1, cancellationToken).ConfigureAwait(false);
            committed[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            syncedWrites[i] = probe.TimeOneWrite();
        }
        double rate = flooded / floodClock.Elapsed.TotalSeconds;
        await stopFlood.CancelAsync().ConfigureAwait(false);
        try
        {
            await flood.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The flood ends by cancellation.
        }
        hub.Complete();
        await writer.StopAsync(cancellationToken).ConfigureAwait(false);
        return new Result(batchMaxEvents, samples, spacingMilliseconds, rate, writer.Counters.Batches, PercentilesOf(syncedWrites), PercentilesOf(durable), PercentilesOf(committed));
    }

    private static Percentiles PercentilesOf(double[] values)
    {
        Array.Sort(values);
        return new Percentiles(Percentile(values, 0.50), Percentile(values, 0.99), values[^1]);
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Clamp(Math.Ceiling(sorted.Length * p) - 1, 0, sorted.Length - 1)];
}
