namespace Appliance.Bridge.Journal;

/// <summary>Prunes the oldest rows by age and by size in chunks, each its own short transaction: the writer runs one
/// chunk between batches while a pass lasts (<see cref="JournalOptions.RetentionInterval"/>), so commits interleave
/// with a long prune instead of stalling behind it, and nothing but the writer's thread touches the write connection.</summary>
public sealed class JournalRetention
{
    internal const int ChunkRows = 500;
    private const int MinSizeChunkRows = 16;

    private readonly EventJournal _journal;
    private readonly JournalOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the pruner; call it only where the journal's write connection is not in use meanwhile.</summary>
    public JournalRetention(EventJournal journal, JournalOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(options);
        _journal = journal;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Prunes everything due now, chunk by chunk: rows older than <see cref="JournalOptions.RetentionMaxAge"/>,
    /// then the oldest rows while the used size exceeds <see cref="JournalOptions.RetentionMaxBytes"/>. Returns rows pruned.</summary>
    public long RunOnce()
    {
        long pruned = 0, chunk;
        while ((chunk = PruneChunk()) > 0) pruned += chunk;
        return pruned;
    }

    /// <summary>One chunk of at most <see cref="ChunkRows"/> rows: too old ones first, then the oldest while the journal is
    /// too large. Returns rows pruned; 0 when nothing is due.</summary>
    internal long PruneChunk()
    {
        var store = _journal.Writer;
        if (_options.RetentionMaxAge > TimeSpan.Zero)
        {
            long deleted = store.Prune(ChunkRows, _time.GetUtcNow() - _options.RetentionMaxAge);
            if (deleted > 0) return deleted;
        }
        long used;
        if (_options.RetentionMaxBytes == 0 || (used = _journal.UsedBytes) <= _options.RetentionMaxBytes) return 0;
        // Sized to the excess (rows are only ever deleted by retention, so numbers handed out less those pruned counts
        // them cheaply), so a small excess does not prune a whole chunk of rows.
        long bytesPerRow = Math.Max(1, used / Math.Max(1, _journal.LastCommittedSeq - _journal.PrunedCount));
        return store.Prune((int)Math.Clamp((used - _options.RetentionMaxBytes) / bytesPerRow + 1, MinSizeChunkRows, ChunkRows));
    }
}
