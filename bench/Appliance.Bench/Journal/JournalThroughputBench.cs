using System.Diagnostics;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bench.Journal;

/// <summary>Events per second from <see cref="EventHub"/> into committed journal rows, and bytes written per event.</summary>
public static class JournalThroughputBench
{
    /// <summary>One run's figures.</summary>
    /// <param name="PageSize">The journal's page size.</param>
    /// <param name="BatchMaxEvents">The batch limit used.</param>
    /// <param name="Spread">Distinct (VM, event) pairs in the input; each is its own region of the (vm, event, seq) index.</param>
    /// <param name="Events">Events committed.</param>
    /// <param name="EventsPerSecond">Committed events per wall-clock second.</param>
    /// <param name="EventsPerCpuSecond">Committed events per second of this process's CPU time (less sensitive to a shared machine).</param>
    /// <param name="WriteBytesPerEvent">write_bytes from /proc/self/io per event (WAL and checkpoints, up to the final one at close).</param>
    /// <param name="Batches">Commits.</param>
    public sealed record Result(int PageSize, int BatchMaxEvents, int Spread, int Events, double EventsPerSecond,
        double EventsPerCpuSecond, double WriteBytesPerEvent, long Batches);

    /// <summary>Publishes <paramref name="events"/> events through a hub into a fresh journal in <paramref name="directory"/> and waits for the last commit.</summary>
    public static async Task<Result> RunAsync(string directory, int events, int batchMaxEvents,
        int vms = 8, int names = 8, int pageSize = 4096, CancellationToken cancellationToken = default)
    {
        var options = JournalBenchSuite.WithCheckpointFromEnvironment(new JournalOptions
        {
            Path = Path.Combine(directory, $"throughput-{batchMaxEvents}-{vms}x{names}-{pageSize}.db"),
            NewJournalPageSize = pageSize,
            BatchMaxEvents = batchMaxEvents,
            BatchMaxDelay = TimeSpan.FromMilliseconds(5),
        });
        var input = BenchEvents.Create(events, vms, names);
        var journal = EventJournal.Open(options);
        var hub = new EventHub();
        using var writer = new JournalWriter(journal, hub.Subscribe("journal", EventDelivery.Lossless), options);
        await writer.StartAsync(cancellationToken).ConfigureAwait(false);

        long bytesBefore = ProcessIo.WriteBytes();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        foreach (var e in input) await hub.PublishAsync(e, cancellationToken).ConfigureAwait(false);
        await journal.WaitForCommitAsync(events - 1, cancellationToken).ConfigureAwait(false);
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        hub.Complete();
        await writer.StopAsync(cancellationToken).ConfigureAwait(false);
        // Closing the last connection checkpoints what the WAL still holds: without it, up to CheckpointWalBytes of WAL
        // would never be copied within the run and the figure would look better than the disk sees.
        journal.Dispose();
        long written = ProcessIo.WriteBytes() - bytesBefore;
        return new Result(pageSize, batchMaxEvents, vms * names, events, events / clock.Elapsed.TotalSeconds, events / cpu.TotalSeconds,
            (double)written / events, writer.Counters.Batches);
    }
}
