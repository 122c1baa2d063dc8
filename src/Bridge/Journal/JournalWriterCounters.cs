namespace Appliance.Bridge.Journal;

/// <summary>Live counters of a <see cref="JournalWriter"/>, safe to read from any thread.</summary>
public sealed class JournalWriterCounters
{
    private long _rows;
    private long _batches;
    private long _bytes;
    private long _errors;
    private long _lastCommitTicks;
    private long _maxCommitTicks;
    private long _pendingRows;
    private long _flushedBatches;
    private long _walSyncs;
    private long _walSyncFailures;
    private long _retentionPasses;
    private long _retryDelayTicks;
    private string? _lastError;

    /// <summary>Rows committed.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Transactions committed.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Transactions known to be on disk: with <see cref="JournalSynchronous.Full"/> every one; with
    /// <see cref="JournalSynchronous.Normal"/> those an fsync of the write-ahead log has covered since (<see cref="WalSyncs"/>).</summary>
    public long FlushedBatches => Interlocked.Read(ref _flushedBatches);

    /// <summary>With <see cref="JournalSynchronous.Normal"/>: fsyncs of the write-ahead log that returned (after a
    /// critical commit, or <see cref="JournalOptions.SyncMaxDelay"/> after an ordinary one).</summary>
    public long WalSyncs => Interlocked.Read(ref _walSyncs);

    /// <summary>Fsyncs of the write-ahead log that failed (an I/O error); each is retried.</summary>
    public long WalSyncFailures => Interlocked.Read(ref _walSyncFailures);

    /// <summary>Retention passes completed (each prunes what is due, chunk by chunk between batches).</summary>
    public long RetentionPasses => Interlocked.Read(ref _retentionPasses);

    /// <summary>Raw event bytes committed (the JSON lines, without SQLite's overhead).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Failed commit attempts (full disk, I/O errors); each failed batch is retried.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Rows held in memory by a batch that failed and awaits its retry.</summary>
    public long PendingRows => Interlocked.Read(ref _pendingRows);

    /// <summary>While commits fail: the delay before the next retry (zero otherwise).</summary>
    public TimeSpan RetryDelay => TimeSpan.FromTicks(Interlocked.Read(ref _retryDelayTicks));

    /// <summary>While commits fail: why the last one failed (null otherwise).</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>How long the last batch's transaction took (its inserts and COMMIT).</summary>
    public TimeSpan LastCommitLatency => TimeSpan.FromTicks(Interlocked.Read(ref _lastCommitTicks));

    /// <summary>The longest commit so far.</summary>
    public TimeSpan MaxCommitLatency => TimeSpan.FromTicks(Interlocked.Read(ref _maxCommitTicks));

    internal void Committed(int rows, long bytes, TimeSpan latency, bool flushed)
    {
        Interlocked.Add(ref _rows, rows);
        Interlocked.Increment(ref _batches);
        if (flushed) Interlocked.Increment(ref _flushedBatches);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Exchange(ref _lastCommitTicks, latency.Ticks);
        Interlocked.Exchange(ref _pendingRows, 0);
        Interlocked.Exchange(ref _retryDelayTicks, 0);
        Volatile.Write(ref _lastError, null);
        // Only the writer's thread writes it, so a plain compare is enough.
        if (latency.Ticks > Interlocked.Read(ref _maxCommitTicks)) Interlocked.Exchange(ref _maxCommitTicks, latency.Ticks);
    }

    internal void WalSynced(int commits)
    {
        Interlocked.Increment(ref _walSyncs);
        Interlocked.Add(ref _flushedBatches, commits);
    }

    internal void WalSyncFailed() => Interlocked.Increment(ref _walSyncFailures);

    internal void RetentionPassed() => Interlocked.Increment(ref _retentionPasses);

    internal void Failed(int pendingRows, string error, TimeSpan retryDelay)
    {
        Volatile.Write(ref _lastError, error);
        Interlocked.Exchange(ref _retryDelayTicks, retryDelay.Ticks);
        Interlocked.Increment(ref _errors);
        Interlocked.Exchange(ref _pendingRows, pendingRows);
    }
}
