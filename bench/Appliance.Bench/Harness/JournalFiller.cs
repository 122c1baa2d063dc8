using System.Globalization;
using Appliance.Bridge.Journal;

namespace Appliance.Bench.Harness;

/// <summary>Creates a journal with the appliance's own schema, then bulk-inserts rows of its shape with the sqlite3 CLI
/// (one transaction, a recursive CTE): far faster than going through the pipeline, so 10 million rows take seconds.</summary>
public static class JournalFiller
{
    /// <summary>A BALLOON_CHANGE line as the emulator's load mode writes it.</summary>
    public const string SampleRaw = """{"timestamp":{"seconds":1700000000,"microseconds":123456},"event":"BALLOON_CHANGE","data":{"actual":1073741824}}""";

    /// <summary>Creates the schema at <paramref name="path"/> through <see cref="EventJournal.Open"/>.</summary>
    public static void CreateSchema(string path)
    {
        using var journal = EventJournal.Open(new JournalOptions { Path = path, RetentionMaxBytes = 0 });
    }

    /// <summary>Inserts <paramref name="rows"/> rows over VMs x, y and z; every <paramref name="watchdogEvery"/>-th row is a
    /// WATCHDOG event, flagged critical as the writer's default classification flags it, the rest BALLOON_CHANGE, with the writer's marks (<see cref="WriterMarks"/>). Returns the seconds the
    /// sqlite3 process took.</summary>
    public static async Task<double> FillAsync(string path, long rows, int watchdogEvery, CancellationToken cancellationToken)
    {
        string sql = string.Create(CultureInfo.InvariantCulture, $"""
            PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
            BEGIN;
            WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {rows})
            INSERT INTO events(vm, event, timestamp_us, received_us, critical, raw, layout)
            SELECT char(120 + i % 3),
                   CASE WHEN i % {watchdogEvery} = 0 THEN 'WATCHDOG' ELSE 'BALLOON_CHANGE' END,
                   1700000000000000 + i, 1700000000000000 + i, CASE WHEN i % {watchdogEvery} = 0 THEN 1 ELSE 0 END,
                   CAST('{SampleRaw}' AS BLOB), 0
            FROM c;
            {WriterMarks.Sql}
            COMMIT;
            """);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await ChildProcess.RunAsync("sqlite3", [path, sql], TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
        return watch.Elapsed.TotalSeconds;
    }
}
