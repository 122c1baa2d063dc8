using System.Diagnostics;
using System.Text;
using Appliance.Bench.Harness;
using Appliance.Bench.Journal;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Bench.Scenarios;

/// <summary>Scenario 4: query latency of "the last 100 WATCHDOG events of VM x" over large journals, and bytes written
/// to storage per event through the real <see cref="JournalWriter"/> at batch sizes of at least 100.</summary>
public static class JournalScenario
{
    private const int Queries = 200;

    /// <summary>Measures queries over each of <paramref name="rowCounts"/>, then appends <paramref name="appendEvents"/> events.</summary>
    public static async Task<JournalReport> RunAsync(IReadOnlyList<int> rowCounts, int appendEvents, CancellationToken cancellationToken)
    {
        var queries = new List<JournalQueryFigures>();
        foreach (int rows in rowCounts) queries.Add(await QueryAsync(rows, cancellationToken).ConfigureAwait(false));
        var appends = new List<JournalAppendFigures>();
        foreach (int batch in new[] { 100, 512 }) appends.Add(await AppendAsync(appendEvents, batch, cancellationToken).ConfigureAwait(false));
        // The LiteDB peer: same batches and events; its query over the smallest journal size only (1 M rows in the
        // quick and full runs: filling it takes LiteDB about a minute, ten times that for 10 M).
        var liteAppends = new List<JournalAppendFigures>();
        foreach (int batch in new[] { 100, 512 })
        {
            var (rate, bytes) = LiteDbPeer.Append(appendEvents, batch);
            liteAppends.Add(new JournalAppendFigures(appendEvents, batch, (appendEvents + batch - 1) / batch, bytes, rate));
        }
        int liteRows = rowCounts.Min();
        var (fill, returned, firstMs, p50, p99) = LiteDbPeer.Query(liteRows, 100, Queries);
        var liteQuery = new JournalQueryFigures(liteRows, fill, returned, firstMs, p50, p99);
        return new JournalReport(queries, appends, liteQuery, liteAppends);
    }

    /// <summary>The report's tables.</summary>
    public static IEnumerable<ResultTable> ToTables(JournalReport report)
    {
        var query = new ResultTable("Journal: last 100 WATCHDOG events of VM x", "rows", "fill s (sqlite3)", "rows returned", "first query ms", "p50 ms", "p99 ms");
        foreach (var q in report.Queries)
        {
            query.Add(Format.Count(q.Rows), Format.Number(q.FillSeconds), Format.Count(q.Returned), Format.Number(q.FirstMilliseconds, 2),
                Format.Number(q.P50Milliseconds, 3), Format.Number(q.P99Milliseconds, 3));
        }
        var l = report.LiteDbQuery;
        query.Add($"{Format.Count(l.Rows)}, LiteDB 5.0.21 peer", Format.Number(l.FillSeconds) + " (LiteDB inserts)", Format.Count(l.Returned),
            Format.Number(l.FirstMilliseconds, 2), Format.Number(l.P50Milliseconds, 3), Format.Number(l.P99Milliseconds, 3));
        query.Note("LiteDB peer: the same rows as BsonDocuments (_id = seq, vm, event, timestamps, flags, raw line) in one file, direct connection, its own indexes on event and on vm, inserted in transactions of 512; the query is `Query().Where(\"vm = @0 AND event = @1\").OrderByDescending(\"_id\").Limit(100)` (bench/Appliance.Bench/Journal/LiteDbPeer.cs).");
        query.Note($"{Queries} repetitions through `EventJournal.OpenReadOnly(...).Query(new JournalQuery(Vm: \"x\", Events: [\"WATCHDOG\"], Limit: 100))`; rows are spread over 3 VMs, 1 in 100 is a WATCHDOG.");
        yield return query;
        var append = new ResultTable("Journal: bytes written per event (JournalWriter, WAL, commits synced within SyncMaxDelay)", "events", "batch max", "batches", "write_bytes per event", "events/s");
        foreach (var a in report.Appends)
        {
            append.Add(Format.Count(a.Events), Format.Count(a.BatchMax), Format.Count(a.Batches), Format.Number(a.BytesPerEvent), Format.Rate(a.EventsPerSecond));
        }
        foreach (var a in report.LiteDbAppends)
        {
            append.Add(Format.Count(a.Events) + " (LiteDB 5.0.21 peer)", Format.Count(a.BatchMax), Format.Count(a.Batches), Format.Number(a.BytesPerEvent),
                Format.Rate(a.EventsPerSecond));
        }
        append.Note("LiteDB peer: the same BALLOON_CHANGE rows of VM x as BsonDocuments, one `Insert(batch)` transaction per batch, inserted from one thread (no pipeline in front); write_bytes until the database is closed.");
        append.Note("write_bytes of /proc/self/io from the first event until the journal is closed (WAL, checkpoints and the final checkpoint at close) divided by events; each event's line is 113 bytes, in the emulator's compact layout, so the journal stores only its data member (JournalRawForm).");
        yield return append;
    }

    private static async Task<JournalQueryFigures> QueryAsync(int rows, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("bench-journal-");
        try
        {
            string path = Path.Combine(dir.FullName, "journal.db");
            JournalFiller.CreateSchema(path);
            double fill = await JournalFiller.FillAsync(path, rows, 100, cancellationToken).ConfigureAwait(false);
            using var journal = EventJournal.OpenReadOnly(path);
            var query = new JournalQuery(Vm: "x", Events: ["WATCHDOG"], Limit: 100);
            long first = Stopwatch.GetTimestamp();
            int returned = journal.Query(query).Count;
            double firstMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds;
            var times = new double[Queries];
            for (int i = 0; i < Queries; i++)
            {
                long start = Stopwatch.GetTimestamp();
                returned = Math.Min(returned, journal.Query(query).Count);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            return new JournalQueryFigures(rows, fill, returned, firstMs, times[Queries / 2], times[(int)(Queries * 0.99) - 1]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<JournalAppendFigures> AppendAsync(int events, int batch, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("bench-append-");
        try
        {
            var options = new JournalOptions { Path = Path.Combine(dir.FullName, "journal.db"), BatchMaxEvents = batch, RetentionMaxBytes = 0 };
            long bytesBefore, batches;
            double seconds;
            using (var journal = EventJournal.Open(options))
            {
                var hub = new EventHub();
                using var writer = new JournalWriter(journal, hub.Subscribe("journal", EventDelivery.Lossless), options);
                var line = Encoding.UTF8.GetBytes(JournalFiller.SampleRaw);
                var vmEvent = new VmEvent("x", (QmpEvent)QmpMessageParser.Parse(line), DateTimeOffset.UtcNow, VmEventFlags.None);
                await writer.StartAsync(cancellationToken).ConfigureAwait(false);
                bytesBefore = ProcFs.WriteBytesOfSelf();
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < events; i++) await hub.PublishAsync(vmEvent, cancellationToken).ConfigureAwait(false);
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                limit.CancelAfter(TimeSpan.FromMinutes(2));
                while (journal.LastCommittedSeq < events) await journal.WaitForCommitAsync(journal.LastCommittedSeq, limit.Token).ConfigureAwait(false);
                seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                await writer.StopAsync(CancellationToken.None).ConfigureAwait(false);
                batches = writer.Counters.Batches;
            }
            // Counted after the close, which copies what is left of the WAL into the database: those bytes are these events' too.
            long bytes = ProcFs.WriteBytesOfSelf() - bytesBefore;
            return new JournalAppendFigures(events, batch, batches, bytes / (double)events, events / seconds);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

/// <summary>Query figures over one journal size.</summary>
/// <param name="Rows">Rows in the journal.</param>
/// <param name="FillSeconds">Seconds the sqlite3 bulk insert took.</param>
/// <param name="Returned">Rows the query returned (100 expected).</param>
/// <param name="FirstMilliseconds">The first (cold) query.</param>
/// <param name="P50Milliseconds">Median of the repetitions.</param>
/// <param name="P99Milliseconds">99th percentile of the repetitions.</param>
public sealed record JournalQueryFigures(int Rows, double FillSeconds, int Returned, double FirstMilliseconds, double P50Milliseconds, double P99Milliseconds);

/// <summary>Append figures at one batch size.</summary>
/// <param name="Events">Events appended.</param>
/// <param name="BatchMax">BatchMaxEvents.</param>
/// <param name="Batches">Transactions committed.</param>
/// <param name="BytesPerEvent">write_bytes per event.</param>
/// <param name="EventsPerSecond">Events committed per second.</param>
public sealed record JournalAppendFigures(int Events, int BatchMax, long Batches, double BytesPerEvent, double EventsPerSecond);

/// <summary>The journal scenario's figures.</summary>
/// <param name="Queries">One per journal size.</param>
/// <param name="Appends">One per batch size.</param>
/// <param name="LiteDbQuery">The LiteDB peer's query over the smallest journal size.</param>
/// <param name="LiteDbAppends">The LiteDB peer's inserts, one per batch size.</param>
public sealed record JournalReport(IReadOnlyList<JournalQueryFigures> Queries, IReadOnlyList<JournalAppendFigures> Appends, JournalQueryFigures LiteDbQuery,
    IReadOnlyList<JournalAppendFigures> LiteDbAppends);
