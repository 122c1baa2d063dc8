using Appliance.Bridge.Journal;

namespace Appliance.Bench.Journal;

/// <summary>Runs every journal benchmark and prints one line per figure (wire it to <c>bench journal [--quick]</c>).</summary>
/// <remarks>The environment variable <c>JOURNAL_BENCH_PARTS</c> (comma-separated: throughput, bytes, latency, ceiling,
/// query) runs only those parts, to repeat one measurement without the rest; <c>JOURNAL_BENCH_PAGE_SIZES</c> (default
/// 2048,4096: the default first) the page sizes the bytes, latency and query parts compare; <c>JOURNAL_BENCH_LATENCY_BATCHES</c> (default 512)
/// the BatchMaxEvents values the latency part tries; <c>JOURNAL_BENCH_LATENCY_RATES</c> (default 20000,100000) its background
/// rates; <c>JOURNAL_BENCH_LATENCY_SPACING_MS</c> (default 5) the pause before each critical event it times.</remarks>
public static class JournalBenchSuite
{
    /// <summary>Runs the suite in a fresh folder under <paramref name="directory"/> (on a real disk, not tmpfs, for write_bytes).</summary>
    public static async Task RunAsync(TextWriter output, string directory, bool quick, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        string folder = Path.Combine(directory, "journal-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var parts = (Environment.GetEnvironmentVariable("JOURNAL_BENCH_PARTS") ?? "throughput,bytes,latency,ceiling,query")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int[] pageSizes = NumbersFromEnvironment("JOURNAL_BENCH_PAGE_SIZES", "2048,4096");
        int[] batches = NumbersFromEnvironment("JOURNAL_BENCH_LATENCY_BATCHES", "512");
        int[] rates = NumbersFromEnvironment("JOURNAL_BENCH_LATENCY_RATES", "20000,100000");
        int[] spacings = NumbersFromEnvironment("JOURNAL_BENCH_LATENCY_SPACING_MS", "5");
        try
        {
            int events = quick ? 100_000 : 1_000_000;
            await output.WriteLineAsync($"SQLite {Appliance.Bridge.Sqlite.SqliteConnection.LibraryVersion}").ConfigureAwait(false);
            if (parts.Contains("throughput")) await ThroughputAsync(output, folder, events, cancellationToken).ConfigureAwait(false);
            if (parts.Contains("bytes")) await BytesAsync(output, folder, events, pageSizes, cancellationToken).ConfigureAwait(false);
            if (parts.Contains("latency")) await LatencyAsync(output, folder, quick ? 200 : 1000, pageSizes, batches, rates, spacings, cancellationToken).ConfigureAwait(false);
            if (parts.Contains("ceiling"))
            {
                var c = await SqliteInsertCeilingBench.RunAsync(folder, events, 512, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"raw sqlite ceiling rows={c.Rows}: one transaction {c.OneTransactionRowsPerSecond:N0} rows/s, batches of {c.Batch} {c.BatchedRowsPerSecond:N0} rows/s").ConfigureAwait(false);
            }
            if (parts.Contains("query"))
            {
                foreach (int pageSize in pageSizes)
                {
                    var q = await JournalQueryBench.RunAsync(folder, quick ? 1_000_000 : 10_000_000, 2000, pageSize, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"query page={pageSize} last 100 WATCHDOG of one VM over {q.Rows:N0} rows (generated at {q.GenerateRowsPerSecond:N0} rows/s): p50 {q.P50Milliseconds:F3} ms, p99 {q.P99Milliseconds:F3} ms, {q.RowsReturned} rows; last 100 of one VM (any event): p50 {q.VmP50Milliseconds:F3} ms, p99 {q.VmP99Milliseconds:F3} ms, {q.VmRowsReturned} rows; " +
                        $"last 100 RESET (ordinary) of one VM: p50 {q.OrdinaryP50Milliseconds:F3} ms, p99 {q.OrdinaryP99Milliseconds:F3} ms, {q.OrdinaryRowsReturned} rows").ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task ThroughputAsync(TextWriter output, string folder, int events, CancellationToken cancellationToken)
    {
        foreach (int batch in new[] { 1, 10, 100, 512, 2000 })
        {
            int n = batch < 100 ? events / 20 : events;
            await ReportAsync(output, await JournalThroughputBench.RunAsync(folder, n, batch, cancellationToken: cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    // One busy VM with one and with two event kinds (the case), and 8 VMs x 8 events, for each page size; every
    // commit is fsynced, so each commit re-dirties the WAL's last file block.
    private static async Task BytesAsync(TextWriter output, string folder, int events, int[] pageSizes, CancellationToken cancellationToken)
    {
        foreach (var (pageSize, batch, (vms, names)) in
            from p in pageSizes from b in new[] { 100, 512 } from spread in new[] { (1, 1), (1, 2), (8, 8) } select (p, b, spread))
        {
            var r = await JournalThroughputBench.RunAsync(folder, events, batch, vms, names, pageSize, cancellationToken).ConfigureAwait(false);
            await ReportAsync(output, r).ConfigureAwait(false);
        }
    }

    private static async Task LatencyAsync(TextWriter output, string folder, int samples, int[] pageSizes, int[] batches, int[] rates, int[] spacings,
        CancellationToken cancellationToken)
    {
        foreach (var (background, spacing, pageSize, batch) in
            from b in rates from s in spacings from p in pageSizes from n in batches select (b, s, p, n))
        {
            var l = await JournalCriticalLatencyBench.RunAsync(folder, samples, background, pageSize, batch, spacing, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"critical latency page={pageSize} batch={batch} background={l.BackgroundEventsPerSecond:N0}/s (asked {background:N0}, one VM) samples={l.Samples} every {l.SpacingMilliseconds} ms: " +
                $"durable p50 {l.Durable.P50Milliseconds:F2} ms, p99 {l.Durable.P99Milliseconds:F2} ms, max {l.Durable.MaxMilliseconds:F2} ms; " +
                $"committed p50 {l.Committed.P50Milliseconds:F2} ms, p99 {l.Committed.P99Milliseconds:F2} ms; {l.Commits} commits; " +
                $"one synced 512-byte write meanwhile: p50 {l.SyncedWrite.P50Milliseconds:F2} ms, p99 {l.SyncedWrite.P99Milliseconds:F2} ms, max {l.SyncedWrite.MaxMilliseconds:F2} ms").ConfigureAwait(false);
        }
    }

    /// <summary>JOURNAL_BENCH_CHECKPOINT_WAL_BYTES, when set, replaces <see cref="JournalOptions.CheckpointWalBytes"/>
    /// (measure another checkpoint threshold; a large value keeps SQLite's checkpoint out of a run).</summary>
    internal static JournalOptions WithCheckpointFromEnvironment(JournalOptions options)
    {
        if (Environment.GetEnvironmentVariable("JOURNAL_BENCH_CHECKPOINT_WAL_BYTES") is { } bytes)
            options.CheckpointWalBytes = long.Parse(bytes, System.Globalization.CultureInfo.InvariantCulture);
        return options;
    }

    private static int[] NumbersFromEnvironment(string name, string fallback) =>
        [.. (Environment.GetEnvironmentVariable(name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];

    private static Task ReportAsync(TextWriter output, JournalThroughputBench.Result r) =>
        output.WriteLineAsync(
            $"throughput page={r.PageSize} batch={r.BatchMaxEvents,5} spread={r.Spread,2} events={r.Events,8}: {r.EventsPerSecond,10:N0} events/s " +
            $"({r.EventsPerCpuSecond:N0} per CPU-s), {r.WriteBytesPerEvent,6:N0} write_bytes/event, {r.Batches} commits");
}
