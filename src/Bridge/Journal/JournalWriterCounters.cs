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
    private long _maxWalSyncTicks;
    private long _retryDelayTicks;
    private string? _lastError;

    /// <summary>Rows committed.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Transactions committed.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Transactions known to be on disk: with <see cref="JournalSynchronous.Full"/> every one (COMMIT flushes the
    /// write-ahead log before returning); with <see cref="JournalSynchronous.Normal"/> those holding a critical event,
    /// once an fsync of the write-ahead log after them has returned (one fsync may cover several, <see cref="WalSyncs"/>).</summary>
    public long FlushedBatches => Interlocked.Read(ref _flushedBatches);

    /// <summary>With <see cref="JournalSynchronous.Normal"/>: fsyncs of the write-ahead log that returned, made for commits holding critical events.</summary>
    public long WalSyncs => Interlocked.Read(ref _walSyncs);

    /// <summary>Fsyncs of the write-ahead log that failed (an I/O error); each is retried.</summary>
    public long WalSyncFailures => Interlocked.Read(ref _walSyncFailures);

    /// <summary>The longest fsync of the write-ahead log so far.</summary>
    public TimeSpan MaxWalSyncLatency => TimeSpan.FromTicks(Interlocked.Read(ref _maxWalSyncTicks));

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

    /// <summary>How long the last COMMIT took (events are inserted into the open transaction as they arrive, before it).</summary>
    public TimeSpan LastCommitLatency => TimeSpan.FromTicks(Interlocked.Read(ref _lastCommitTicks));

    /// <summary>The longest commit so far.</summary>
    public TimeSpan MaxCommitLatency => TimeSpan.FromTicks(Interlocked.Read(ref _maxCommitTicks));

    /// <summary>Every commit's duration, 100 µs to 5 s: a commit without fsync takes well under a millisecond, one that
    /// flushes the write-ahead log milliseconds on flash and more on a failing card.</summary>
    public LatencyHistogram CommitLatency { get; } = new(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);

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
        InterlockedMaximum.Raise(ref _maxCommitTicks, latency.Ticks);
        CommitLatency.Record(latency);
    }

    internal void WalSynced(int commits, TimeSpan latency)
    {
        Interlocked.Increment(ref _walSyncs);
        Interlocked.Add(ref _flushedBatches, commits);
        InterlockedMaximum.Raise(ref _maxWalSyncTicks, latency.Ticks);
    }

    internal void WalSyncFailed() => Interlocked.Increment(ref _walSyncFailures);

    internal void Failed(int pendingRows, string error, TimeSpan retryDelay)
    {
        Volatile.Write(ref _lastError, error);
        Interlocked.Exchange(ref _retryDelayTicks, retryDelay.Ticks);
        Interlocked.Increment(ref _errors);
        Interlocked.Exchange(ref _pendingRows, pendingRows);
    }
}
