using Appliance.Bridge.Journal.Sqlite;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Journal;

/// <summary>The journal's single write connection: appends batches and prunes, one transaction at a time.</summary>
internal sealed class JournalWriteStore : IDisposable
{
    private const string InsertSql =
        "INSERT INTO events(vm, event, timestamp_us, received_us, flags, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

    private readonly object _gate = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteStatement _insert;

    internal JournalWriteStore(JournalOptions options)
    {
        _connection = SqliteConnection.Open(options.Path);
        try
        {
            _connection.SetBusyTimeout(TimeSpan.FromSeconds(5));
            _connection.Execute("PRAGMA journal_mode = WAL");
            _connection.Execute(options.Synchronous == JournalSynchronous.Full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            JournalSchema.Migrate(_connection);
            _insert = _connection.Prepare(InsertSql);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The highest sequence number ever assigned (it survives pruning every row).</summary>
    internal long LastSeq()
    {
        lock (_gate) return _connection.ExecuteScalar("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    }

    /// <summary>Commits <paramref name="batch"/> in one transaction; returns the last sequence number and the raw bytes written.
    /// On failure nothing of the batch is committed and the exception propagates.</summary>
    internal (long LastSeq, long Bytes) Append(IReadOnlyList<VmEvent> batch)
    {
        lock (_gate)
        {
            long bytes = 0;
            InTransaction(() =>
            {
                foreach (var e in batch)
                {
                    _insert.Bind(1, e.Vm);
                    _insert.Bind(2, e.Event.Name);
                    _insert.Bind(3, e.Event.Timestamp.TotalMicroseconds);
                    _insert.Bind(4, ToMicroseconds(e.Received));
                    _insert.Bind(5, (long)e.Flags);
                    _insert.Bind(6, e.Event.Raw.Span);
                    _insert.Execute();
                    bytes += e.Event.Raw.Length;
                }
            });
            return (_connection.LastInsertRowId, bytes);
        }
    }

    /// <summary>Deletes up to <paramref name="maxRows"/> of the oldest rows received before <paramref name="cutoff"/>.</summary>
    internal long PruneOlderThan(DateTimeOffset cutoff, int maxRows) =>
        Prune("DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE received_us < ?2 ORDER BY seq LIMIT ?1)",
            maxRows, ToMicroseconds(cutoff));

    /// <summary>Deletes up to <paramref name="maxRows"/> of the oldest rows.</summary>
    internal long PruneOldest(int maxRows) =>
        Prune("DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?1)", maxRows, cutoffMicroseconds: null);

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
            _insert.Dispose();
            _connection.Dispose();
        }
    }

    internal static long ToMicroseconds(DateTimeOffset time) =>
        (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    private long Prune(string deleteSql, int maxRows, long? cutoffMicroseconds)
    {
        lock (_gate)
        {
            long deleted = 0;
            InTransaction(() =>
            {
                using (var delete = _connection.Prepare(deleteSql))
                {
                    delete.Bind(1, maxRows);
                    if (cutoffMicroseconds is { } cutoff) delete.Bind(2, cutoff);
                    deleted = delete.Execute();
                }
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
