using System.Buffers;
using Appliance.Bridge.Journal.Sqlite;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Journal;

/// <summary>The journal's single write connection: appends batches and prunes, one transaction at a time.</summary>
internal sealed class JournalWriteStore : IDisposable
{
    private const string InsertColumns = "INSERT INTO events(vm, event, timestamp_us, received_us, flags, raw) VALUES ";
    private const int ColumnsPerRow = 6;

    // Rows per multi-row INSERT: one statement of eight rows costs about 40% less CPU per row than eight of one (the
    // statement's setup, its cursors and AUTOINCREMENT's sqlite_sequence update are paid once).
    private const int GroupRows = 8;

    // The WAL may reach this many times CheckpointWalBytes before the writer restarts it by itself (see
    // CheckpointAfterCommit); after a restart SQLite truncates a WAL file larger than that back to it.
    internal const int WalLimitFactor = 4;

    private static readonly TimeSpan WriteBusyTimeout = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteStatement _insert;
    private readonly SqliteStatement _insertGroup;
    private readonly VmEvent[] _pending = new VmEvent[GroupRows];
    private int _pendingCount;
    private readonly SqliteStatement _insertMark;
    private readonly SqliteStatement _setCriticalCounter;
    private readonly ArrayBufferWriter<byte> _lineScratch = new(1024);
    private readonly HashSet<string> _vmsInTransaction = new(StringComparer.Ordinal);
    private readonly HashSet<string> _eventsInTransaction = new(StringComparer.Ordinal);
    private readonly IDisposable _walHook;
    private readonly bool _syncEveryCommit;
    private long _receivedHighUs;
    private OpenBatch _open;
    private long _fallbackCheckpoints;
    private long _busyFallbackCheckpoints;
    private long _failedFallbackCheckpoints;

    internal JournalWriteStore(JournalOptions options)
    {
        _connection = SqliteConnection.Open(options.Path);
        try
        {
            _connection.SetBusyTimeout(WriteBusyTimeout);
            // Only a new, empty file takes the page size, and only before WAL mode writes its header; an existing
            // journal keeps the page size it was created with.
            _connection.Execute($"PRAGMA page_size = {options.NewJournalPageSize}");
            _connection.Execute("PRAGMA journal_mode = WAL");
            _syncEveryCommit = options.Synchronous == JournalSynchronous.Full;
            _connection.Execute(SynchronousPragma(_syncEveryCommit));
            JournalSchema.Migrate(_connection);
            PageSize = (int)_connection.ExecuteScalar("PRAGMA page_size");
            long walLimitBytes = options.CheckpointWalBytes * WalLimitFactor;
            _connection.Execute($"PRAGMA journal_size_limit = {walLimitBytes}");
            WalFrameLimit = (int)Math.Min(int.MaxValue, walLimitBytes / PageSize);
            WalFrames = new JournalWalFrames(Math.Max(1, options.CheckpointWalBytes / PageSize));
            _insert = _connection.Prepare(InsertSql(1));
            _insertGroup = _connection.Prepare(InsertSql(GroupRows));
            _insertMark = _connection.Prepare(JournalReceivedMarks.InsertSql);
            _setCriticalCounter = _connection.Prepare(
                $"UPDATE counters SET value = max(value, ?1) WHERE name = '{CriticalLog.CriticalLogRecovery.CounterName}'");
            _receivedHighUs = JournalReceivedMarks.HighWater(_connection);
            // Replaces SQLite's automatic checkpoint, which would run inside COMMIT (with its fsyncs) on the writer's
            // thread; JournalCheckpointer runs it on its own connection instead.
            _walHook = _connection.ObserveWalCommits(WalFrames.Committed);
        }
        catch
        {
            _insert?.Dispose();
            _insertGroup?.Dispose();
            _insertMark?.Dispose();
            _setCriticalCounter?.Dispose();
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The critical-log number of a critical event (0: none), looked up as each is inserted; the commit then
    /// moves the journal's <c>critical_log</c> counter to the highest, in the same transaction.</summary>
    internal Func<VmEvent, long>? CriticalNumberOf { get; set; }

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
    /// and whether the commit was flushed to disk before returning (always with Full; with Normal when
    /// <paramref name="flush"/> asks for it). On failure nothing of the batch is committed and the exception propagates.</summary>
    internal JournalAppendResult Append(IReadOnlyList<VmEvent> batch, bool flush = false)
    {
        lock (_gate)
        {
            // synchronous = FULL for this one transaction: SQLite fsyncs the WAL as part of COMMIT (the level cannot
            // change inside a transaction).
            flush &= !_syncEveryCommit;
            if (flush) _connection.Execute(SynchronousPragma(full: true));
            try
            {
                var result = InTransaction(() =>
                {
                    foreach (var e in batch) Add(e);
                });
                return result with { Flushed = result.Flushed || flush };
            }
            finally
            {
                if (flush) _connection.Execute(SynchronousPragma(full: false));
            }
        }
    }

    /// <summary>True with <see cref="JournalSynchronous.Full"/>: every COMMIT flushes the write-ahead log to disk before
    /// returning. With Normal, commits holding critical events are flushed after they return (<see cref="JournalWalSync"/>).</summary>
    internal bool SyncsEveryCommit => _syncEveryCommit;

    /// <summary>Opens a transaction that <see cref="Add"/> fills event by event, so a batch is inserted while its events
    /// arrive rather than all at once when it closes; <see cref="Commit"/> or <see cref="Abandon"/> ends it. Until then
    /// the store stays locked to the calling thread (retention and size queries wait for the end of the batch).</summary>
    internal void Begin()
    {
        Monitor.Enter(_gate);
        WalFrames.TransactionBoundary();
        try
        {
            _connection.Execute("BEGIN IMMEDIATE");
        }
        catch
        {
            WalFrames.TransactionBoundary();
            Monitor.Exit(_gate);
            throw;
        }
        _open = new OpenBatch();
    }

    /// <summary>Inserts one event into the open transaction (in groups of eight: up to seven wait in memory until the
    /// next one or the commit); on failure call <see cref="Abandon"/>.</summary>
    internal void Add(VmEvent e)
    {
        // Only rows of one VM share a statement: with rows of many VMs mixed (8 VMs x 8 names in the bench) a multi-row
        // INSERT cost more CPU per row than single rows and wrote about a fifth more bytes per event.
        if (_pendingCount > 0 && !string.Equals(_pending[0].Vm, e.Vm, StringComparison.Ordinal)) InsertPending();
        _pending[_pendingCount++] = e;
        if (_pendingCount == GroupRows) InsertPending();
    }

    private void InsertPending()
    {
        if (_pendingCount == GroupRows)
        {
            for (int i = 0; i < GroupRows; i++) Bind(_insertGroup, i * ColumnsPerRow, _pending[i]);
            _insertGroup.Execute();
        }
        else
        {
            for (int i = 0; i < _pendingCount; i++)
            {
                Bind(_insert, 0, _pending[i]);
                _insert.Execute();
            }
        }
        Array.Clear(_pending, 0, _pendingCount);
        _pendingCount = 0;
    }

    private void Bind(SqliteStatement statement, int offset, VmEvent e)
    {
        long receivedUs = ToMicroseconds(e.Received);
        long timestampUs = e.Event.Timestamp.TotalMicroseconds;
        // SQLite copies what is bound, so the scratch buffer can be reused for the next row of the statement.
        var stored = JournalRawForm.Shorten(e.Event, timestampUs, _lineScratch, out long storageFlag);
        statement.Bind(offset + 1, e.Vm);
        statement.Bind(offset + 2, e.Event.Name);
        statement.Bind(offset + 3, timestampUs);
        statement.Bind(offset + 4, receivedUs);
        // Rows are bound in seq order, so the first row of a VM (or event name) bound in this transaction is its first in
        // the commit. Critical rows have an index entry each (events_by_critical), so they take no event marker.
        long marker = (_vmsInTransaction.Add(e.Vm) ? JournalCommitMarkers.VmFlag : 0)
            | (!e.IsCritical && _eventsInTransaction.Add(e.Event.Name) ? JournalCommitMarkers.EventFlag : 0);
        statement.Bind(offset + 5, (long)e.Flags | storageFlag | marker);
        statement.Bind(offset + 6, stored);
        _open.Rows++;
        _open.Bytes += e.Event.Raw.Length;
        _open.LowUs = Math.Min(_open.LowUs, receivedUs);
        if (e.IsCritical && CriticalNumberOf is { } numberOf) _open.CriticalNumber = Math.Max(_open.CriticalNumber, numberOf(e));
        // Raised even if the transaction then fails: a high-water mark above the truth keeps the bounds safe.
        _receivedHighUs = Math.Max(_receivedHighUs, receivedUs);
    }

    private static string InsertSql(int rows) =>
        InsertColumns + string.Join(", ", Enumerable.Range(0, rows).Select(row =>
            "(" + string.Join(", ", Enumerable.Range(row * ColumnsPerRow + 1, ColumnsPerRow).Select(p => "?" + p)) + ")"));

    /// <summary>Commits the open transaction, flushed to disk before returning with Full. On failure it is rolled back
    /// (nothing of it is committed) and the exception propagates.</summary>
    internal JournalAppendResult Commit()
    {
        try
        {
            InsertPending();
            if (_open.Rows > 0)
            {
                _insertMark.Bind(1, _connection.LastInsertRowId);
                _insertMark.Bind(2, _open.LowUs);
                _insertMark.Bind(3, _receivedHighUs);
                _insertMark.Execute();
            }
            if (_open.CriticalNumber > 0)
            {
                _setCriticalCounter.Bind(1, _open.CriticalNumber);
                _setCriticalCounter.Execute();
            }
            _connection.Execute("COMMIT");
        }
        catch
        {
            Abandon();
            throw;
        }
        var result = new JournalAppendResult(_connection.LastInsertRowId, _open.Bytes, _syncEveryCommit, _open.CriticalNumber);
        End();
        return result;
    }

    /// <summary>Rolls the open transaction back (nothing of it is committed) and unlocks the store.</summary>
    internal void Abandon()
    {
        RollBack();
        End();
    }

    private void End()
    {
        WalFrames.TransactionBoundary();
        _open = default;
        _vmsInTransaction.Clear();
        _eventsInTransaction.Clear();
        Array.Clear(_pending, 0, _pendingCount);
        _pendingCount = 0;
        try
        {
            if (WalFrames.LogFrames >= WalFrameLimit) CheckpointAfterCommit(wait: WalFrames.LogFrames >= 2 * WalFrameLimit);
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    // What the open transaction holds so far.
    private struct OpenBatch()
    {
        public int Rows;
        public long Bytes;
        public long LowUs = long.MaxValue;
        public long CriticalNumber;
    }

    internal static string SynchronousPragma(bool full) => full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";

    // The checkpointer is not running, or its catch-up checkpoints kept losing the race with commits. RESTART, here
    // between transactions, copies everything and lets the next transaction start the WAL from its beginning. The batch
    // is already committed, so a failed checkpoint (a full disk) must not fail it.
    private void CheckpointAfterCommit(bool wait)
    {
        // Without waiting at first: SQLite's busy handler sleeps in steps of up to 25 ms, and the writer should not sleep
        // behind a checkpoint in progress (the checkpointer's) or a reader; it tries again after its next commit. At
        // twice the limit it waits (busy timeout), which bounds the WAL.
        if (!wait) _connection.SetBusyTimeout(TimeSpan.Zero);
        try
        {
            var result = _connection.Checkpoint(SqliteCheckpointMode.Restart);
            Interlocked.Increment(ref result.Busy ? ref _busyFallbackCheckpoints : ref _fallbackCheckpoints);
        }
        catch (SqliteException)
        {
            Interlocked.Increment(ref _failedFallbackCheckpoints);
        }
        finally
        {
            if (!wait) _connection.SetBusyTimeout(WriteBusyTimeout);
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
            _insertGroup.Dispose();
            _insertMark.Dispose();
            _setCriticalCounter.Dispose();
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
                _connection.Execute(JournalCommitMarkers.RestoreAfterPruneSql);
                using var count = _connection.Prepare("UPDATE counters SET value = value + ?1 WHERE name = ?2");
                count.Bind(1, deleted);
                count.Bind(2, JournalSchema.PrunedCounter);
                count.Execute();
            });
            return deleted;
        }
    }

    private JournalAppendResult InTransaction(Action body)
    {
        Begin();
        try
        {
            body();
        }
        catch
        {
            Abandon();
            throw;
        }
        return Commit();
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
