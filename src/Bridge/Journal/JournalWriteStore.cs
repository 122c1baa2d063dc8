using System.Buffers;
using Appliance.Bridge.Sqlite;
using Appliance.Bridge.Pipeline;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Bridge.Journal;

/// <summary>The journal's write connection: appends batches (synced to disk when asked), prunes. One owner at a time:
/// the writer's thread while <see cref="JournalWriter"/> runs (retention runs there too), the caller otherwise.</summary>
internal sealed class JournalWriteStore : IDisposable
{
    private const string InsertColumns =
        "INSERT INTO events(vm, event, timestamp_us, received_us, layout, raw, critical, gap, first_of_vm, first_of_event) VALUES ";
    private const int ColumnsPerRow = 10;

    // Rows per multi-row INSERT: one statement of eight rows costs about 40% less CPU per row than eight of one (the
    // statement's setup, its cursors and AUTOINCREMENT's sqlite_sequence update are paid once).
    private const int GroupRows = 8;

    private readonly SqliteConnection _connection;
    private readonly SqliteStatement _insert;
    private readonly SqliteStatement _insertGroup;
    private readonly SqliteStatement _insertMark;
    private readonly ArrayBufferWriter<byte> _lineScratch = new(1024);
    private readonly HashSet<string> _vmsInTransaction = new(StringComparer.Ordinal);
    private readonly HashSet<string> _eventsInTransaction = new(StringComparer.Ordinal);
    private long _receivedHighUs;
    private bool _syncing;
    private readonly SafeFileHandle? _writeLock;
    private SafeFileHandle? _wal;

    internal JournalWriteStore(JournalOptions options)
    {
        _connection = SqliteConnection.Open(options.Path);
        try
        {
            _writeLock = TakeWriteLock(options.Path);
            _connection.SetBusyTimeout(TimeSpan.FromSeconds(5));
            // Only a new, empty file takes the page size, and only before WAL mode writes its header.
            _connection.Execute($"PRAGMA page_size = {options.NewJournalPageSize}");
            _connection.Execute("PRAGMA journal_mode = WAL");
            // A COMMIT syncs the write-ahead log only when asked (Append); the writer asks often enough for docs/journal.md's requirement.
            _connection.Execute("PRAGMA synchronous = NORMAL");
            JournalSchema.Migrate(_connection);
            PageSize = (int)_connection.ExecuteScalar("PRAGMA page_size");
            // SQLite's own checkpoint, inside the COMMIT that takes the WAL past twice the threshold (JournalCheckpointer
            // copies it beside the writer before that); the file is cut back to twice the threshold after the WAL restarts.
            _connection.Execute($"PRAGMA wal_autocheckpoint = {Math.Max(1, 2 * options.CheckpointWalBytes / PageSize)}");
            _connection.Execute($"PRAGMA journal_size_limit = {options.CheckpointWalBytes * 2}");
            _insert = _connection.Prepare(InsertSql(1));
            _insertGroup = _connection.Prepare(InsertSql(GroupRows));
            _insertMark = _connection.Prepare(JournalReceivedMarks.InsertSql);
            _receivedHighUs = JournalReceivedMarks.HighWater(_connection);
        }
        catch
        {
            _insert?.Dispose();
            _insertGroup?.Dispose();
            _insertMark?.Dispose();
            _writeLock?.Dispose();
            _connection.Dispose();
            throw;
        }
    }

    // One process writes a journal: a second would recover the first's critical-lane file while it is being written.
    // FileShare.None takes an exclusive flock(2), which the kernel releases when the process ends, even on kill -9.
    private static SafeFileHandle TakeWriteLock(string path)
    {
        try
        {
            return File.OpenHandle(path + "-lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.GetType() == typeof(IOException))
        {
            // The database opened a moment ago beside it, so the lock failed; no inner: the host reports the innermost message.
            throw new IOException($"Journal '{path}' is open for writing in another process ('{path}-lock' is locked). Only one appliance may write a journal.");
        }
    }

    /// <summary>The journal's page size in bytes (<see cref="JournalOptions.NewJournalPageSize"/> for journals this build created).</summary>
    internal int PageSize { get; }

    /// <summary>Commits <paramref name="batch"/> in one transaction, with <paramref name="sync"/> synced to disk (and
    /// every commit before it) before it is visible; returns its last seq and its raw bytes. On failure nothing of it is
    /// committed and the exception propagates.</summary>
    internal (long LastSeq, long Bytes) Append(IReadOnlyList<VmEvent> batch, bool sync)
    {
        long bytes = 0, lowUs = long.MaxValue;
        _vmsInTransaction.Clear();
        _eventsInTransaction.Clear();
        if (sync != _syncing)
        {
            _connection.Execute(sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            _syncing = sync;
        }
        InTransaction(() =>
        {
            for (int i = 0; i < batch.Count;)
            {
                // Eight rows of one VM share a statement. Rows of several VMs do not: with 8 VMs x 8 names mixed (the
                // bench) a multi-row INSERT cost more CPU per row than single rows and wrote a fifth more bytes per event.
                int rows = i + GroupRows <= batch.Count && OneVm(batch, i, GroupRows) ? GroupRows : 1;
                var statement = rows == GroupRows ? _insertGroup : _insert;
                for (int r = 0; r < rows; r++)
                {
                    var e = batch[i + r];
                    lowUs = Math.Min(lowUs, Bind(statement, r * ColumnsPerRow, e));
                    bytes += e.Event.Raw.Length;
                }
                statement.Execute();
                i += rows;
            }
            if (batch.Count == 0) return;
            _insertMark.Bind(1, _connection.LastInsertRowId);
            _insertMark.Bind(2, lowUs);
            _insertMark.Bind(3, _receivedHighUs);
            _insertMark.Execute();
        });
        return (_connection.LastInsertRowId, bytes);
    }

    private static bool OneVm(IReadOnlyList<VmEvent> batch, int start, int count)
    {
        for (int i = start + 1; i < start + count; i++)
            if (!string.Equals(batch[i].Vm, batch[start].Vm, StringComparison.Ordinal)) return false;
        return true;
    }

    // Binds one row at parameter offset; returns its received time.
    private long Bind(SqliteStatement statement, int offset, VmEvent e)
    {
        long receivedUs = ToMicroseconds(e.Received);
        long timestampUs = e.Event.Timestamp.TotalMicroseconds;
        // SQLite copies what is bound, so the scratch buffer can be reused for the next row of the statement.
        var stored = JournalRawForm.Shorten(e.Event, timestampUs, _lineScratch, out long layout);
        statement.Bind(offset + 1, e.Vm);
        statement.Bind(offset + 2, e.Event.Name);
        statement.Bind(offset + 3, timestampUs);
        statement.Bind(offset + 4, receivedUs);
        statement.Bind(offset + 5, layout);
        statement.Bind(offset + 6, stored);
        statement.Bind(offset + 7, e.IsCritical ? 1 : 0);
        statement.Bind(offset + 8, (e.Flags & VmEventFlags.Gap) != 0 ? 1 : 0);
        // Rows are bound in seq order, so the first row of a VM (or event name) bound in this transaction is its first in
        // the commit. Critical rows have an index entry each (events_by_critical), so they take no event marker.
        statement.Bind(offset + 9, _vmsInTransaction.Add(e.Vm) ? 1 : 0);
        statement.Bind(offset + 10, !e.IsCritical && _eventsInTransaction.Add(e.Event.Name) ? 1 : 0);
        // Raised even if the transaction then fails: a high-water mark above the truth keeps the bounds safe.
        _receivedHighUs = Math.Max(_receivedHighUs, receivedUs);
        return receivedUs;
    }

    private static string InsertSql(int rows) =>
        InsertColumns + string.Join(", ", Enumerable.Range(0, rows).Select(row =>
            "(" + string.Join(", ", Enumerable.Range(row * ColumnsPerRow + 1, ColumnsPerRow).Select(p => "?" + p)) + ")"));

    /// <summary>Deletes up to <paramref name="maxRows"/> of the oldest rows, only those received before
    /// <paramref name="cutoff"/> when one is given. Returns rows deleted.</summary>
    internal long Prune(int maxRows, DateTimeOffset? cutoff = null)
    {
        long cutoffUs = cutoff is { } time ? ToMicroseconds(time) : long.MaxValue;
        long deleted = 0;
        InTransaction(() =>
        {
            using (var delete = _connection.Prepare(
                "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= ?3 AND received_us < ?2 ORDER BY seq LIMIT ?1)"))
            {
                delete.Bind(1, maxRows);
                delete.Bind(2, cutoffUs);
                // Without the bound, a journal with nothing old enough would be scanned whole at every pass.
                delete.Bind(3, cutoff is null ? long.MaxValue : JournalReceivedMarks.AllReceivedBeforeAtMost(_connection, cutoffUs));
                deleted = delete.Execute();
            }
            _connection.Execute(JournalReceivedMarks.PruneSql);
            _connection.Execute(JournalCommitMarkers.RestoreAfterPruneSql);
            _connection.Execute($"UPDATE counters SET value = value + {deleted} WHERE name = '{JournalSchema.PrunedCounter}'");
        });
        return deleted;
    }

    /// <summary>Whether the table holds <paramref name="critical"/> as a critical row (same VM, event, received time and timestamp).</summary>
    internal bool HoldsCritical(VmEvent critical)
    {
        using var query = _connection.Prepare("SELECT 1 FROM events WHERE critical AND event = ?1 AND vm = ?2 AND received_us = ?3 AND timestamp_us = ?4");
        query.Bind(1, critical.Event.Name);
        query.Bind(2, critical.Vm);
        query.Bind(3, ToMicroseconds(critical.Received));
        query.Bind(4, critical.Event.Timestamp.TotalMicroseconds);
        return query.Step();
    }

    /// <summary>Syncs the write-ahead log to disk: every commit so far survives a power cut.</summary>
    internal void SyncWal() => RandomAccess.FlushToDisk(Wal);

    /// <summary>The WAL file's length in bytes: the most it has held since the last commit that started it over.</summary>
    internal long WalBytes => RandomAccess.GetLength(Wal);

    /// <summary>Copies the WAL into the database as far as readers allow, never waiting for them; all copied, the next commit
    /// starts it over and cuts the file back. SQLite gives up if another connection's checkpoint is under way.</summary>
    internal void Checkpoint() => _connection.ExecuteScalar("PRAGMA wal_checkpoint(PASSIVE)");

    // The WAL stays the same file while this connection is open (SQLite deletes it only when the last one closes).
    private SafeFileHandle Wal =>
        _wal ??= File.OpenHandle(_connection.Path + "-wal", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>Runs a statement on the write connection (tests use it to cap max_page_count).</summary>
    internal long ExecuteScalar(string sql, long ifNone = 0) => _connection.ExecuteScalar(sql, ifNone);

    public void Dispose()
    {
        _insert.Dispose();
        _insertGroup.Dispose();
        _insertMark.Dispose();
        _wal?.Dispose();
        _connection.Dispose();
        _writeLock?.Dispose();
    }

    internal static long ToMicroseconds(DateTimeOffset time) =>
        (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

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
            // After SQLITE_FULL or an I/O error SQLite may already have rolled back; a second failure must not hide the first.
            try
            {
                _connection.Execute("ROLLBACK");
            }
            catch (SqliteException)
            {
            }
            throw;
        }
    }
}
