using Appliance.Bench.Harness;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Sqlite;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bench.Journal;

/// <summary>Fills a journal with rows of the writer's shape straight through SQLite, in one big transaction, then adds the
/// writer's marks (<see cref="WriterMarks"/>, not counted in the rate).</summary>
internal static class JournalRowGenerator
{
    public const string InsertSql = "INSERT INTO events(vm, event, timestamp_us, received_us, critical, gap, raw, layout) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)";

    /// <summary>Creates the journal schema at <paramref name="path"/> and appends <paramref name="rows"/> rows in transactions of
    /// <paramref name="rowsPerTransaction"/>; returns the rows inserted per second.</summary>
    public static double Fill(string path, int rows, int rowsPerTransaction, int? pageSize = null)
    {
        var options = new JournalOptions { Path = path };
        if (pageSize is { } size) options.NewJournalPageSize = size;
        EventJournal.Open(options).Dispose();
        var events = BenchEvents.Create(Math.Min(rows, 10_000));
        using var connection = SqliteConnection.Open(path);
        // Filling rows for the query and ceiling figures, not measuring durability: no fsync per transaction.
        connection.Execute("PRAGMA synchronous = NORMAL");
        using var insert = connection.Prepare(InsertSql);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long receivedUs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        for (int i = 0; i < rows; i++)
        {
            if (i % rowsPerTransaction == 0) connection.Execute(i == 0 ? "BEGIN" : "COMMIT; BEGIN");
            var e = events[i % events.Length];
            insert.Bind(1, e.Vm);
            insert.Bind(2, e.Event.Name);
            insert.Bind(3, e.Event.Timestamp.TotalMicroseconds);
            insert.Bind(4, receivedUs + i);
            // WATCHDOG is critical in the default classification, so the writer would mark it.
            insert.Bind(5, e.Event.Name == "WATCHDOG" || e.IsCritical ? 1 : 0);
            insert.Bind(6, (e.Flags & VmEventFlags.Gap) != 0 ? 1 : 0);
            insert.Bind(7, e.Event.Raw.Span);
            insert.Execute();
        }
        connection.Execute("COMMIT");
        double rowsPerSecond = rows / clock.Elapsed.TotalSeconds;
        connection.Execute($"BEGIN; {WriterMarks.Sql} COMMIT;");
        return rowsPerSecond;
    }
}
