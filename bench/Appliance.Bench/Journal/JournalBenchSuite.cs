using Appliance.Bridge.Journal;

namespace Appliance.Bench.Journal;

/// <summary>Runs every journal benchmark and prints one line per figure (wire it to <c>bench journal [--quick]</c>).</summary>
public static class JournalBenchSuite
{
    /// <summary>Runs the suite in a fresh folder under <paramref name="directory"/> (on a real disk, not tmpfs, for write_bytes).</summary>
    public static async Task RunAsync(TextWriter output, string directory, bool quick, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        string folder = Path.Combine(directory, "journal-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            int events = quick ? 100_000 : 1_000_000;
            await output.WriteLineAsync($"SQLite {Appliance.Bridge.Journal.Sqlite.SqliteConnection.LibraryVersion}").ConfigureAwait(false);
            foreach (var sync in new[] { JournalSynchronous.Normal, JournalSynchronous.Full })
            {
                foreach (int batch in new[] { 1, 10, 100, 512, 2000 })
                {
                    if (sync == JournalSynchronous.Full && batch < 100) continue;
                    int n = batch == 1 ? events / 20 : events;
                    await ReportAsync(output, await JournalThroughputBench.RunAsync(folder, n, batch, sync, cancellationToken: cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                }
            }
            foreach (int batch in new[] { 100, 512 })
            {
                // One busy VM with two event kinds: the index regions a commit touches shrink from 64 to 2.
                await ReportAsync(output, await JournalThroughputBench.RunAsync(folder, events, batch, JournalSynchronous.Normal, 1, 2, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }
            foreach (var sync in new[] { JournalSynchronous.Normal, JournalSynchronous.Full })
            {
                var l = await JournalCriticalLatencyBench.RunAsync(folder, quick ? 200 : 1000, 20_000, sync, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"critical latency sync={sync} background={l.BackgroundEventsPerSecond:N0}/s samples={l.Samples}: p50 {l.P50Milliseconds:F2} ms, p99 {l.P99Milliseconds:F2} ms, max {l.MaxMilliseconds:F2} ms").ConfigureAwait(false);
            }
            var c = await SqliteInsertCeilingBench.RunAsync(folder, events, 512, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"raw sqlite ceiling rows={c.Rows}: one transaction {c.OneTransactionRowsPerSecond:N0} rows/s, batches of {c.Batch} {c.BatchedRowsPerSecond:N0} rows/s").ConfigureAwait(false);
            var q = await JournalQueryBench.RunAsync(folder, quick ? 1_000_000 : 10_000_000, 200, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"query last 100 WATCHDOG of one VM over {q.Rows:N0} rows (generated at {q.GenerateRowsPerSecond:N0} rows/s): p50 {q.P50Milliseconds:F3} ms, p99 {q.P99Milliseconds:F3} ms, {q.RowsReturned} rows").ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Task ReportAsync(TextWriter output, JournalThroughputBench.Result r) =>
        output.WriteLineAsync(
            $"throughput sync={r.Synchronous} batch={r.BatchMaxEvents,5} spread={r.Spread,2} events={r.Events,8}: {r.EventsPerSecond,10:N0} events/s " +
            $"({r.EventsPerCpuSecond:N0} per CPU-s), {r.WriteBytesPerEvent,6:N0} write_bytes/event, {r.Batches} commits");
}
