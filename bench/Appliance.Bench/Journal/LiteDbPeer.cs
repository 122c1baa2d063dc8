using System.Diagnostics;
using System.Text;
using Appliance.Bench.Harness;
using LiteDB;

namespace Appliance.Bench.Journal;

/// <summary>LiteDB 5 as a peer of the journal: the same rows (seq, vm, event, timestamps, flags, raw line) as plain
/// <see cref="BsonDocument"/>s (its object mapper does not work under NativeAOT), its own indexes on event and on vm,
/// the same batch sizes and the same query. Lives in the bench only: the product keeps SQLite.</summary>
public static class LiteDbPeer
{
    private const string Collection = "events";

    /// <summary>Inserts <paramref name="events"/> BALLOON_CHANGE rows of VM x in transactions of <paramref name="batch"/>;
    /// returns events/s and bytes written to storage per event (write_bytes, until the database is closed).</summary>
    public static (double EventsPerSecond, double BytesPerEvent) Append(int events, int batch)
    {
        var dir = Directory.CreateTempSubdirectory("bench-litedb-append-");
        try
        {
            long before = ProcFs.WriteBytesOfSelf();
            var clock = Stopwatch.StartNew();
            using (var db = Open(Path.Combine(dir.FullName, "journal.litedb")))
            {
                var col = db.GetCollection(Collection);
                var raw = Encoding.UTF8.GetBytes(JournalFiller.SampleRaw);
                var docs = new List<BsonDocument>(batch);
                for (long seq = 1; seq <= events; seq += batch)
                {
                    docs.Clear();
                    for (long s = seq; s < seq + batch && s <= events; s++) docs.Add(Row(s, "x", "BALLOON_CHANGE", 0, raw));
                    // One transaction per batch, as the journal writer commits one per batch.
                    col.Insert(docs);
                }
            }
            double seconds = clock.Elapsed.TotalSeconds;
            return (events / seconds, (ProcFs.WriteBytesOfSelf() - before) / (double)events);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Fills <paramref name="rows"/> rows as <see cref="JournalFiller"/> does (VMs x, y, z; every
    /// <paramref name="watchdogEvery"/>-th a WATCHDOG), then times "the last 100 WATCHDOG events of VM x"
    /// <paramref name="queries"/> times. Returns the fill seconds, rows returned, first, p50 and p99 milliseconds.</summary>
    public static (double FillSeconds, int Returned, double FirstMs, double P50Ms, double P99Ms) Query(int rows, int watchdogEvery, int queries)
    {
        var dir = Directory.CreateTempSubdirectory("bench-litedb-query-");
        try
        {
            using var db = Open(Path.Combine(dir.FullName, "journal.litedb"));
            var col = db.GetCollection(Collection);
            var raw = Encoding.UTF8.GetBytes(JournalFiller.SampleRaw);
            var fill = Stopwatch.StartNew();
            var docs = new List<BsonDocument>(512);
            for (long seq = 1; seq <= rows; seq += 512)
            {
                docs.Clear();
                for (long s = seq; s < seq + 512 && s <= rows; s++)
                {
                    bool watchdog = s % watchdogEvery == 0;
                    docs.Add(Row(s, ((char)(120 + s % 3)).ToString(), watchdog ? "WATCHDOG" : "BALLOON_CHANGE", watchdog ? 1 : 0, raw));
                }
                col.Insert(docs);
            }
            double fillSeconds = fill.Elapsed.TotalSeconds;
            int Run() => col.Query().Where("vm = @0 AND event = @1", new BsonValue("x"), new BsonValue("WATCHDOG"))
                .OrderByDescending("_id").Limit(100).ToDocuments().Count();
            long first = Stopwatch.GetTimestamp();
            int returned = Run();
            double firstMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds;
            var times = new double[queries];
            for (int i = 0; i < queries; i++)
            {
                long start = Stopwatch.GetTimestamp();
                returned = Math.Min(returned, Run());
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            return (fillSeconds, returned, firstMs, times[queries / 2], times[Math.Max(0, (int)(queries * 0.99) - 1)]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static LiteDatabase Open(string path)
    {
        var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        var col = db.GetCollection(Collection);
        col.EnsureIndex("event");
        col.EnsureIndex("vm");
        return db;
    }

    private static BsonDocument Row(long seq, string vm, string name, int flags, byte[] raw)
    {
        const long Base = 1_700_000_000_000_000;
        return new BsonDocument
        {
            ["_id"] = seq,
            ["vm"] = vm,
            ["event"] = name,
            ["timestamp_us"] = Base + seq,
            ["received_us"] = Base + seq,
            ["flags"] = flags,
            ["raw"] = raw,
        };
    }
}
