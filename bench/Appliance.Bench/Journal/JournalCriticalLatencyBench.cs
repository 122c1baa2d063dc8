using System.Diagnostics;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bench.Journal;

/// <summary>Time from publishing a critical event to its commit, while ordinary events flow at a steady background rate.</summary>
public static class JournalCriticalLatencyBench
{
    /// <summary>Latency percentiles in milliseconds, and the background rate actually reached.</summary>
    public sealed record Result(int Samples, double P50Milliseconds, double P99Milliseconds, double MaxMilliseconds, double BackgroundEventsPerSecond);

    /// <summary>Publishes <paramref name="samples"/> critical events, one every few milliseconds, amid
    /// <paramref name="backgroundEventsPerSecond"/> ordinary events per second.</summary>
    public static async Task<Result> RunAsync(string directory, int samples, int backgroundEventsPerSecond, JournalSynchronous synchronous,
        CancellationToken cancellationToken = default)
    {
        var options = new JournalOptions { Path = Path.Combine(directory, $"latency-{synchronous}.db"), Synchronous = synchronous };
        using var journal = EventJournal.Open(options);
        var hub = new EventHub();
        using var writer = new JournalWriter(journal, hub.Subscribe("journal", EventDelivery.Lossless), options);
        await writer.StartAsync(cancellationToken).ConfigureAwait(false);

        // Publishing under one lock numbers the events: the journal is fresh, so the n-th published event gets seq n.
        using var publishLock = new SemaphoreSlim(1);
        long published = 0;
        async Task<long> PublishAsync(VmEvent e, CancellationToken ct)
        {
            await publishLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await hub.PublishAsync(e, ct).ConfigureAwait(false);
                return ++published;
            }
            finally
            {
                publishLock.Release();
            }
        }

        var background = BenchEvents.Create(10_000);
        var critical = BenchEvents.Create(1, critical: true)[0];
        using var stopFlood = new CancellationTokenSource();
        var floodClock = Stopwatch.StartNew();
        long flooded = 0;
        var flood = Task.Run(async () =>
        {
            while (!stopFlood.IsCancellationRequested)
            {
                long due = (long)(floodClock.Elapsed.TotalSeconds * backgroundEventsPerSecond);
                while (flooded < due) await PublishAsync(background[flooded++ % background.Length], stopFlood.Token).ConfigureAwait(false);
                await Task.Delay(1, stopFlood.Token).ConfigureAwait(false);
            }
        }, CancellationToken.None);

        var latencies = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            long start = Stopwatch.GetTimestamp();
            long seq = await PublishAsync(critical, cancellationToken).ConfigureAwait(false);
            await journal.WaitForCommitAsync(seq - 1, cancellationToken).ConfigureAwait(false);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
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

        Array.Sort(latencies);
        return new Result(samples, Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1], rate);
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Clamp(Math.Ceiling(sorted.Length * p) - 1, 0, sorted.Length - 1)];
}
