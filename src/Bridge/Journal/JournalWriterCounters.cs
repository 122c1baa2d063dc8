using Appliance.Bridge.Diagnostics;

namespace Appliance.Bridge.Journal;

/// <summary>Live counters of a <see cref="JournalWriter"/>. Only the writer's thread writes them; any thread may read
/// them (each is one aligned 64-bit value or a reference, so a read is never torn).</summary>
public sealed class JournalWriterCounters
{
    /// <summary>Rows committed.</summary>
    public long Rows { get; private set; }

    /// <summary>Transactions committed.</summary>
    public long Batches { get; private set; }

    /// <summary>Syncs of the write-ahead log to disk: synced commits, and syncs of earlier commits once SyncMaxDelay passed.</summary>
    public long Syncs { get; private set; }

    /// <summary>Retention passes completed (each prunes what is due, chunk by chunk between batches).</summary>
    public long RetentionPasses { get; private set; }

    /// <summary>Raw event bytes committed (the JSON lines, without SQLite's overhead).</summary>
    public long Bytes { get; private set; }

    /// <summary>Failed commit attempts (full disk, I/O errors); each failed batch is retried.</summary>
    public long Errors { get; private set; }

    /// <summary>Rows held in memory by a batch that failed and awaits its retry.</summary>
    public long PendingRows { get; private set; }

    /// <summary>While commits fail: the delay before the next retry (zero otherwise).</summary>
    public TimeSpan RetryDelay { get; private set; }

    /// <summary>While commits fail: why the last one failed (null otherwise).</summary>
    public string? LastError { get; private set; }

    /// <summary>How long the last batch's transaction took (its inserts and COMMIT).</summary>
    public TimeSpan LastCommitLatency { get; private set; }

    /// <summary>The longest commit so far.</summary>
    public TimeSpan MaxCommitLatency { get; private set; }

    /// <summary>Every commit's duration with its fsync, 100 µs to 5 s: milliseconds on flash, more on a failing card.</summary>
    public LatencyHistogram CommitLatency { get; } = new(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);

    internal void Committed(int rows, long bytes, TimeSpan latency, bool synced)
    {
        if (synced) Syncs++;
        Rows += rows;
        Batches++;
        Bytes += bytes;
        LastCommitLatency = latency;
        if (latency > MaxCommitLatency) MaxCommitLatency = latency;
        (PendingRows, RetryDelay, LastError) = (0, TimeSpan.Zero, null);
        CommitLatency.Record(latency);
    }

    internal void Synced() => Syncs++;

    internal void RetentionPassed() => RetentionPasses++;

    internal void Failed(int pendingRows, string error, TimeSpan retryDelay)
    {
        (LastError, RetryDelay, PendingRows) = (error, retryDelay, pendingRows);
        Errors++;
    }
}
