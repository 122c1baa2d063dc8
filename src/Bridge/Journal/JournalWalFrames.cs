namespace Appliance.Bridge.Journal;

/// <summary>How much the write-ahead log has grown since the last checkpoint, fed by the write connection's WAL hook
/// after every commit, and a wake-up for the checkpointer waiting for it to grow.</summary>
internal sealed class JournalWalFrames
{
    private int _lastLogFrames;
    private int _logFrames;
    private long _pending;
    private long _appended;
    private long _transactions;
    private readonly long _threshold;
    private TaskCompletionSource _next = NewSource();
    private TaskCompletionSource? _nextCommit;

    internal JournalWalFrames(long threshold) => _threshold = threshold;

    /// <summary>Frames in the WAL after the last commit (SQLite's count; it drops when a commit restarts the WAL).</summary>
    internal int LogFrames => Volatile.Read(ref _logFrames);

    /// <summary>Frames appended since the checkpointer last took them.</summary>
    internal long Pending => Interlocked.Read(ref _pending);

    /// <summary>Frames appended since the journal was opened.</summary>
    internal long Appended => Interlocked.Read(ref _appended);

    /// <summary>Counts the write connection's transactions, twice each: odd while one is open. A checkpoint that saw it
    /// even and unchanged from start to end, and copied every frame, lets the next transaction restart the WAL.</summary>
    internal long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>Called on the writing thread before BEGIN and after COMMIT or ROLLBACK.</summary>
    internal void TransactionBoundary() => Interlocked.Increment(ref _transactions);

    /// <summary>Called on the writing thread after each commit with the WAL's frame count.</summary>
    internal void Committed(int logFrames)
    {
        // A count below the last one means the commit restarted the WAL from its beginning.
        int appended = logFrames >= _lastLogFrames ? logFrames - _lastLogFrames : logFrames;
        _lastLogFrames = logFrames;
        Volatile.Write(ref _logFrames, logFrames);
        Interlocked.Add(ref _appended, appended);
        long pending = Interlocked.Add(ref _pending, appended);
        long before = pending - appended;
        // Wake only on crossings (first frame, threshold), not on every commit.
        if ((before <= 0 && pending > 0) || (before < _threshold && pending >= _threshold))
            Interlocked.Exchange(ref _next, NewSource()).TrySetResult();
        Interlocked.Exchange(ref _nextCommit, null)?.TrySetResult();
    }

    /// <summary>Completes after the next commit (take it before looking at <see cref="LogFrames"/>, so none is missed).</summary>
    internal Task NextCommit()
    {
        var next = Volatile.Read(ref _nextCommit);
        if (next is not null) return next.Task;
        var created = NewSource();
        return (Interlocked.CompareExchange(ref _nextCommit, created, null) ?? created).Task;
    }

    /// <summary>Takes the pending count as the checkpointer starts a checkpoint.</summary>
    internal long Take() => Interlocked.Exchange(ref _pending, 0);

    /// <summary>Completes when at least <paramref name="frames"/> frames are pending; pass 0 for "the threshold".</summary>
    internal async Task WaitAsync(long frames, CancellationToken cancellationToken)
    {
        long target = frames > 0 ? frames : _threshold;
        while (true)
        {
            // Take the wake-up before checking, so a commit in between is not missed.
            var next = Volatile.Read(ref _next);
            if (Pending >= target) return;
            await next.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
