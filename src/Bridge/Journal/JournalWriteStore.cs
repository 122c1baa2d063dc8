using System.Buffers;
using Appliance.Bridge.Journal.Sqlite;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Journal;

/// <summary>The journal's single write connection: appends batches and prunes, one transaction at a time.</summary>
internal sealed class JournalWriteStore : IDisposable
{
    private const string InsertSql =
        "INSERT INTO events(vm, event, timestamp_us, received_us, flags, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

    // The WAL may reach this many times CheckpointWalBytes before the writer restarts it by itself (see
    // CheckpointAfterCommit); after a restart SQLite truncates a WAL file larger than that back to it.
    internal const int WalLimitFactor = 4;

    private readonly object _gate = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteStatement _insert;
    private readonly SqliteStatement _insertMark;
    private readonly ArrayBufferWriter<byte> _lineScratch = new(1024);
    private readonly IDisposable _walHook;
    private readonly bool _syncEveryCommit;
    private readonly bool _flushCritical;
    private long _receivedHighUs;
    private long _fallbackCheckpoints;
    private long _busyFallbackCheckpoints;
    private long _failedFallbackCheckpoints;

    internal JournalWriteStore(JournalOptions options)
    {
        _connection = SqliteConnection.Open(options.Path);
        try
        {
            _connection.SetBusyTimeout(TimeSpan.FromSeconds(5));
            // Only a new, empty file takes the page size, and only before WAL mode writes its header; an existing
            // journal keeps the page size it was created with.
            _connection.Execute($"PRAGMA page_size = {options.NewJournalPageSize}");
            _connection.Execute("PRAGMA journal_mode = WAL");
            _syncEveryCommit = options.Synchronous == JournalSynchronous.Full;
            _flushCritical = options.FlushCriticalBatches;
            _connection.Execute(SynchronousPragma(_syncEveryCommit));
            JournalSchema.Migrate(_connection);
            PageSize = (int)_connection.ExecuteScalar("PRAGMA page_size");
            long walLimitBytes = options.CheckpointWalBytes * WalLimitFactor;
            _connection.Execute($"PRAGMA journal_size_limit = {walLimitBytes}");
            WalFrameLimit = (int)Math.Min(int.MaxValue, walLimitBytes / PageSize);
            WalFrames = new JournalWalFrames(Math.Max(1, options.CheckpointWalBytes / PageSize));
            _insert = _connection.Prepare(InsertSql);
            _insertMark = _connection.Prepare(JournalReceivedMarks.InsertSql);
            _receivedHighUs = JournalReceivedMarks.HighWater(_connection);
            // Replaces SQLite's automatic checkpoint, which would run inside COMMIT (with its fsyncs) on the writer's
            // thread; JournalCheckpointer runs it on its own connection instead.
            _walHook = _connection.ObserveWalCommits(WalFrames.Committed);
        }
        catch
        {
            _insert?.Dispose();
            _insertMark?.Dispose();
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The journal's page size in bytes (<see cref="JournalOptions.NewJournalPageSize"/> for journals this build created).</summary>
    internal int PageSize { get; }

    /// <summary>Frames in the WAL at which the writer restarts it itself, after the commit that reached them.</summary>
    internal int WalFrameLimit { get; }

    /// <summary>The WAL's growth since the last checkpoint, for <see cref="JournalCheckpointer"/>.</summary>
    internal JournalWalFrames WalFrames { get; }

    /// <summary>Checkpoints the writer ran itself because the WAL reached its limit.</summary>
    internal long FallbackCheckpoints => Interlocked.Read(ref _fallbackCheckpoints);

    /// <summary>Checkpoints the writer tried itself and that failed (they do not fail the commit before them).</summary>
    internal long FailedFallbackCheckpoints => Interlocked.Read(ref _failedFallbackCheckpoints);

    /// <summary>Checkpoints the writer tried itself that could not get the locks they need (a reader or a checkpoint in progress).</summary>
    internal long BusyFallbackCheckpoints => Interlocked.Read(ref _busyFallbackCheckpoints);

    /// <summary>The highest sequence number ever assigned (it survives pruning every row).</summary>
    internal long LastSeq()
    {
        lock (_gate) return _connection.ExecuteScalar("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    }

    /// <summary>Commits <paramref name="batch"/> in one transaction; returns the last sequence number, the raw bytes written
    /// and whether the commit was flushed to disk before returning (always with Full; with Normal when the batch holds a
    /// critical event). On failure nothing of the batch is committed and the exception propagates.</summary>
    internal JournalAppendResult Append(IReadOnlyList<VmEvent> batch)
    {
        lock (_gate)
        {
            long bytes = 0;
            bool flush = _syncEveryCommit || (_flushCritical && HoldsCritical(batch));
            // synchronous = FULL for this one transaction: SQLite fsyncs the WAL as part of COMMIT.
            if (!_syncEveryCommit && flush) _connection.Execute(SynchronousPragma(full: true));
            try
            {
                InTransaction(() => bytes = Insert(batch));
            }
            finally
            {
                if (!_syncEveryCommit && flush) _connection.Execute(SynchronousPragma(full: false));
            }
            long lastSeq = _connection.LastInsertRowId;
            if (WalFrames.LogFrames >= WalFrameLimit) CheckpointAfterCommit();
            return new JournalAppendResult(lastSeq, bytes, flush);
        }
    }

    private long Insert(IReadOnlyList<VmEvent> batch)
    {
        long bytes = 0;
        long lowUs = long.MaxValue;
        foreach (var e in batch)
        {
            long receivedUs = ToMicroseconds(e.Received);
            _insert.Bind(1, e.Vm);
            _insert.Bind(2, e.Event.Name);
            long timestampUs = e.Event.Timestamp.TotalMicroseconds;
            var stored = JournalRawForm.Shorten(e.Event, timestampUs, _lineScratch, out long storageFlag);
            _insert.Bind(3, timestampUs);
            _insert.Bind(4, receivedUs);
            _insert.Bind(5, (long)e.Flags | storageFlag);
            _insert.Bind(6, stored);
            _insert.Execute();
            bytes += e.Event.Raw.Length;
            lowUs = Math.Min(lowUs, receivedUs);
            // Raised even if the transaction then fails: a high-water mark above the truth keeps the bounds safe.
            _receivedHighUs = Math.Max(_receivedHighUs, receivedUs);
        }
        if (batch.Count > 0)
        {
            _insertMark.Bind(1, _connection.LastInsertRowId);
            _insertMark.Bind(2, lowUs);
            _insertMark.Bind(3, _receivedHighUs);
            _insertMark.Execute();
        }
        return bytes;
    }

    private static bool HoldsCritical(IReadOnlyList<VmEvent> batch)
    {
        // The writer ends a batch at its first critical event, so it is the last one.
        for (int i = batch.Count - 1; i >= 0; i--)
        {
            if (batch[i].IsCritical) return true;
        }
        return false;
    }

    internal static string SynchronousPragma(bool full) => full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";

    // The checkpointer is not running or fell behind (under a flood its PASSIVE checkpoints run concurrently with
    // commits, never find the WAL fully copied, and the WAL never starts over). RESTART, here between transactions,
    // copies everything and lets the next commit start the WAL from its beginning; it waits (busy timeout) for a
    // checkpoint in progress. The batch is already committed, so a failed checkpoint (a full disk) must not fail it.
    private void CheckpointAfterCommit()
    {
        try
        {
            var result = _connection.Checkpoint(SqliteCheckpointMode.Restart);
            Interlocked.Increment(ref result.Busy ? ref _busyFallbackCheckpoints : ref _fallbackCheckpoints);
        }
        catch (SqliteException)
        {
            Interlocked.Increment(ref _failedFallbackCheckpoints);
        }
    }

    /// <summary>Deletes up to <paramref name="maxRows"/> of the oldest rows received before <paramref name="cutoff"/>.</summary>
    internal long PruneOlderThan(DateTimeOffset cutoff, int maxRows)
    {
        long cutoffUs = ToMicroseconds(cutoff);
        return Prune(
            "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= ?3 AND received_us < ?2 ORDER BY seq LIMIT ?1)",
            maxRows, delete =>
            {
                // Without the bound, a journal with nothing old enough would be scanned whole at every pass.
                delete.Bind(2, cutoffUs);
                delete.Bind(3, JournalReceivedMarks.AllReceivedBeforeAtMost(_connection, cutoffUs));
            });
    }

    /// <summary>Deletes up to <paramref name="maxRows"/> of the oldest rows.</summary>
    internal long PruneOldest(int maxRows) =>
        Prune("DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?1)", maxRows, bind: null);

    /// <summary>Bytes of the pages in use (the file minus its free list).</summary>
    internal long UsedBytes()
    {
        lock (_gate)
        {
            long pageSize = _connection.ExecuteScalar("PRAGMA page_size");
            return (_connection.ExecuteScalar("PRAGMA page_count") - _connection.ExecuteScalar("PRAGMA freelist_count")) * pageSize;
        }
    }

    /// <summary>Rows between the oldest and newest sequence number (exact while only the oldest rows are ever deleted).</summary>
    internal long RowCountEstimate()
    {
        lock (_gate)
        {
            long newest = _connection.ExecuteScalar("SELECT max(seq) FROM events");
            return newest == 0 ? 0 : newest - _connection.ExecuteScalar("SELECT min(seq) FROM events") + 1;
        }
    }

    /// <summary>Runs a statement on the write connection, between batches (tests use it to cap max_page_count).</summary>
    internal long ExecuteScalar(string sql)
    {
        lock (_gate) return _connection.ExecuteScalar(sql);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _walHook.Dispose();
            _insert.Dispose();
            _insertMark.Dispose();
            _connection.Dispose();
        }
    }

    internal static long ToMicroseconds(DateTimeOffset time) =>
        (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    private long Prune(string deleteSql, int maxRows, Action<SqliteStatement>? bind)
    {
        lock (_gate)
        {
            long deleted = 0;
            InTransaction(() =>
            {
                using (var delete = _connection.Prepare(deleteSql))
                {
                    delete.Bind(1, maxRows);
                    bind?.Invoke(delete);
                    deleted = delete.Execute();
                }
                _connection.Execute(JournalReceivedMarks.PruneSql);
                using var count = _connection.Prepare("UPDATE counters SET value = value + ?1 WHERE name = ?2");
                count.Bind(1, deleted);
                count.Bind(2, JournalSchema.PrunedCounter);
                count.Execute();
            });
            return deleted;
        }
    }

    private void InTransaction(Action body)
    {
        _connection.Execute("BEGIN IMMEDIATE");
        try
        {
            body();
            _connection.Execute("COMMIT");
        }
        catch
        {
            RollBack();
            throw;
        }
    }

    // After SQLITE_FULL or an I/O error SQLite may already have rolled back; a second failure must not hide the first.
    private void RollBack()
    {
        try
        {
            _connection.Execute("ROLLBACK");
        }
        catch (SqliteException)
        {
        }
    }
}
