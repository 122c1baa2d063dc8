using Appliance.Bench.Harness;

namespace Appliance.Bench.Scenarios;

/// <summary>Peer (c), the storage ceiling: rows of the journal's shape (same table and indexes) inserted by the sqlite3 CLI.</summary>
public static class SqliteCeiling
{
    /// <summary>Inserts <paramref name="rows"/> rows into a fresh journal file and reports rows per second.</summary>
    public static async Task<PeerThroughput> MeasureAsync(int rows, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("bench-sqlite-");
        try
        {
            string path = Path.Combine(dir.FullName, "journal.db");
            JournalFiller.CreateSchema(path);
            double seconds = await JournalFiller.FillAsync(path, rows, 100, cancellationToken).ConfigureAwait(false);
            return new PeerThroughput("sqlite ceiling (sqlite3 CLI, one transaction)", rows, rows, rows / seconds);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
