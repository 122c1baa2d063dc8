using Appliance.Bridge.Sqlite;

namespace Appliance.Bridge.Journal;

/// <summary>Copies the write-ahead log into the database on a connection and thread of its own, so that SQLite's
/// checkpoint (a copy and two fsyncs) mostly runs beside the writer instead of inside its commits, where it held
/// synced commits up (docs/benchmarks.md). Under a flood a pass here overlaps commits, so the WAL restarts only after
/// a checkpoint on the write connection: SQLite's own at twice the threshold, or the writer's (<see cref="Between"/>
/// this thread's passes) at four times, when slow storage keeps this thread busy and SQLite's gives up.</summary>
internal sealed class JournalCheckpointer(string path, long thresholdBytes) : IDisposable
{
    private readonly SemaphoreSlim _due = new(0, 1);
    private readonly Lock _pass = new();
    private long _bytes;

    /// <summary>Counts a commit's raw bytes (about two thirds of what it adds to the WAL); wakes the loop at half the threshold.</summary>
    internal void Committed(long bytes)
    {
        if (Interlocked.Add(ref _bytes, bytes) < thresholdBytes / 2) return;
        Interlocked.Exchange(ref _bytes, 0);
        if (_due.CurrentCount == 0) _due.Release();
    }

    /// <summary>Runs <paramref name="checkpoint"/> (on another connection) between this checkpointer's passes.</summary>
    internal void Between(Action checkpoint)
    {
        lock (_pass) checkpoint();
    }

    /// <summary>Runs PASSIVE checkpoints when due until <paramref name="stoppingToken"/> is cancelled; blocks the calling thread.</summary>
    internal void Run(CancellationToken stoppingToken)
    {
        using var connection = SqliteConnection.Open(path, create: false);
        connection.SetBusyTimeout(TimeSpan.FromSeconds(1));
        connection.Execute("PRAGMA synchronous = NORMAL");
        try
        {
            while (true)
            {
                _due.Wait(stoppingToken);
                try
                {
                    lock (_pass) connection.Execute("PRAGMA wal_checkpoint(PASSIVE)");
                }
                catch (SqliteException)
                {
                    // The automatic checkpoint on the write connection still bounds the WAL; the next turn tries again.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; closing the last connection checkpoints what is left.
        }
    }

    public void Dispose() => _due.Dispose();
}
