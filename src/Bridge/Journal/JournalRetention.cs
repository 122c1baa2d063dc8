namespace Appliance.Bridge.Journal;

/// <summary>Prunes the oldest rows by age and by size, in bounded chunks (each its own short transaction) so the
/// writer's batches interleave instead of stalling behind one big delete.</summary>
public sealed class JournalRetention
{
    internal const int ChunkRows = 500;
    internal const int MaxChunksPerRun = 100;
    private const int MinSizeChunkRows = 16;

    private readonly EventJournal _journal;
    private readonly JournalOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the pruner.</summary>
    public JournalRetention(EventJournal journal, JournalOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _journal = journal;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>One retention pass: rows older than <see cref="JournalOptions.RetentionMaxAge"/>, then the oldest rows while the
    /// used size exceeds <see cref="JournalOptions.RetentionMaxBytes"/>; at most a bounded number of chunks. Returns rows pruned.</summary>
    public long RunOnce()
    {
        var store = _journal.Writer;
        long pruned = 0;
        int chunks = 0;
        if (_options.RetentionMaxAge > TimeSpan.Zero)
        {
            var cutoff = _time.GetUtcNow() - _options.RetentionMaxAge;
            long deleted;
            do
            {
                deleted = store.PruneOlderThan(cutoff, ChunkRows);
                pruned += deleted;
            }
            while (deleted == ChunkRows && ++chunks < MaxChunksPerRun);
        }
        long used;
        while (_options.RetentionMaxBytes > 0 && chunks++ < MaxChunksPerRun && (used = store.UsedBytes()) > _options.RetentionMaxBytes)
        {
            long deleted = store.PruneOldest(RowsToFree(store, used - _options.RetentionMaxBytes, used));
            pruned += deleted;
            if (deleted == 0) break;
        }
        BacklogRemains = chunks >= MaxChunksPerRun;
        return pruned;
    }

    /// <summary>True when the last pass stopped at its chunk limit with rows still due for pruning.</summary>
    public bool BacklogRemains { get; private set; }

    // Size the chunk to the excess (rows are contiguous, so max - min + 1 counts them cheaply), so a small excess
    // does not prune a whole chunk of rows.
    private static int RowsToFree(JournalWriteStore store, long excessBytes, long usedBytes)
    {
        long rows = Math.Max(1, store.RowCountEstimate());
        long bytesPerRow = Math.Max(1, usedBytes / rows);
        return (int)Math.Clamp(excessBytes / bytesPerRow + 1, MinSizeChunkRows, ChunkRows);
    }
}
