using Appliance.Bridge.Sqlite;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Journal;

/// <summary>The durable event journal: a SQLite database in WAL mode with one row per event.
/// Open it once per process; <see cref="JournalWriter"/> appends to it, sinks and the CLI read it through <see cref="IJournalReader"/>.</summary>
/// <remarks>Reads, cursor moves and the size figures use a read connection of their own (WAL lets it read while the
/// writer commits) behind a lock of their own, so status, queries and the dashboard never wait for the writer.</remarks>
public sealed class EventJournal : IJournalReader, IDisposable
{
    internal const string Columns = "seq, vm, event, timestamp_us, received_us, layout, raw, critical, gap";

    private readonly JournalWriteStore? _writeStore;
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteStatement _readAfter;
    private readonly JournalCommitSignal _signal;

    private EventJournal(JournalWriteStore? writeStore, string path, bool readOnly)
    {
        _writeStore = writeStore;
        Path = path;
        _connection = SqliteConnection.Open(path, readOnly, create: false);
        try
        {
            _connection.SetBusyTimeout(TimeSpan.FromSeconds(5));
            JournalSchema.Verify(_connection);
            _readAfter = _connection.Prepare($"SELECT {Columns} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
        _signal = new JournalCommitSignal(Scalar("SELECT seq FROM sqlite_sequence WHERE name = 'events'"));
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating or migrating) the journal for writing and reading, with options already validated
    /// (<see cref="JournalOptions.Validate"/>; the host's options pipeline does it once).</summary>
    /// <exception cref="Sqlite.SqliteException">The file cannot be opened or the SQLite library is missing.</exception>
    /// <exception cref="IOException">Another process has the journal open for writing.</exception>
    public static EventJournal Open(JournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var writeStore = new JournalWriteStore(options);
        try
        {
            JournalCriticalFile.Recover(writeStore, options.Path);
            return new EventJournal(writeStore, options.Path, readOnly: false);
        }
        catch
        {
            writeStore.Dispose();
            throw;
        }
    }

    /// <summary>How many schema migrations <see cref="Open"/> will run on the journal at <paramref name="path"/>: 0 for a
    /// missing file (a new journal is created at once), or for one that cannot be read (<see cref="Open"/> reports why).
    /// Some migrations read every row, which takes a while on a large journal.</summary>
    public static int PendingMigrations(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) return 0;
        try
        {
            using var connection = Sqlite.SqliteConnection.Open(path, readOnly: true, create: false);
            return (int)Math.Max(0, JournalSchema.CurrentVersion - connection.ExecuteScalar("PRAGMA user_version"));
        }
        catch (Sqlite.SqliteException)
        {
            return 0;
        }
    }

    /// <summary>Opens an existing journal read-only, for example from the CLI while the appliance writes it.
    /// Cursors cannot be moved, and <see cref="WaitForCommitAsync"/> only sees commits made through this instance
    /// (none): follow another process's commits by polling <see cref="ReadAfter"/> (as <c>appliance events --follow</c> does).</summary>
    public static EventJournal OpenReadOnly(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No journal at '{path}'.", path);
        return new EventJournal(null, path, readOnly: true);
    }

    /// <inheritdoc />
    public long LastCommittedSeq => _writeStore is null
        ? Math.Max(_signal.Last, Scalar("SELECT seq FROM sqlite_sequence WHERE name = 'events'"))
        : _signal.Last;

    /// <inheritdoc />
    public long PrunedCount => Scalar($"SELECT value FROM counters WHERE name = '{JournalSchema.PrunedCounter}'");

    /// <inheritdoc />
    public IReadOnlyList<JournalEntry> ReadAfter(long afterSeq, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        lock (_gate)
        {
            _readAfter.Bind(1, afterSeq);
            _readAfter.Bind(2, max);
            try
            {
                return ReadRows(_readAfter, max);
            }
            finally
            {
                _readAfter.Reset();
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>A commit holding a critical event is reported once it is synced to disk.</remarks>
    public ValueTask WaitForCommitAsync(long afterSeq, CancellationToken cancellationToken) =>
        _signal.WaitAsync(afterSeq, cancellationToken);

    /// <inheritdoc />
    public long GetCursor(string sink)
    {
        ArgumentException.ThrowIfNullOrEmpty(sink);
        lock (_gate)
        {
            using var statement = _connection.Prepare("SELECT seq FROM cursors WHERE sink = ?1");
            statement.Bind(1, sink);
            return statement.Step() ? statement.GetInt64(0) : 0;
        }
    }

    /// <inheritdoc />
    /// <remarks>A cursor never moves backwards: a smaller <paramref name="seq"/> than the stored one is ignored.</remarks>
    public void SetCursor(string sink, long seq)
    {
        ArgumentException.ThrowIfNullOrEmpty(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        if (_writeStore is null) throw new InvalidOperationException($"Journal '{Path}' is open read-only; cursors cannot be moved.");
        lock (_gate)
        {
            using var statement = _connection.Prepare(
                "INSERT INTO cursors(sink, seq) VALUES (?1, ?2) ON CONFLICT(sink) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > cursors.seq");
            statement.Bind(1, sink);
            statement.Bind(2, seq);
            statement.Execute();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<JournalEntry> Query(JournalQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit <= 0) throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "JournalQuery.Limit must be positive.");
        if (query.Since is { } from && query.Until is { } to && to < from)
            throw new ArgumentException($"JournalQuery.Until ({to:O}) is before Since ({from:O}).", nameof(query));
        var events = query.Events ?? [];
        string sql = JournalQuerySql.Build(query.Vm is not null, events.Count, query.Since is not null, query.Until is not null);
        lock (_gate)
        {
            using var statement = _connection.Prepare(sql);
            statement.Bind(JournalQuerySql.AfterSeq, query.AfterSeq);
            statement.Bind(JournalQuerySql.Vm, query.Vm);
            long floor = query.AfterSeq;
            if (query.Since is { } since)
            {
                long sinceUs = JournalWriteStore.ToMicroseconds(since);
                long sinceFloor = JournalReceivedMarks.AllReceivedBefore(_connection, sinceUs);
                statement.Bind(JournalQuerySql.Since, sinceUs);
                statement.Bind(JournalQuerySql.SinceFloor, sinceFloor);
                floor = Math.Max(floor, sinceFloor);
            }
            // The rows wanted all have seq > floor; their markers are in the same ranges, so after the last mark <= floor.
            if (JournalQuerySql.WalksMarkers(query.Vm is not null, events.Count))
            {
                statement.Bind(JournalQuerySql.MarkerFloor, JournalReceivedMarks.LastAtOrBefore(_connection, floor));
            }
            if (query.Until is { } until)
            {
                long untilUs = JournalWriteStore.ToMicroseconds(until);
                statement.Bind(JournalQuerySql.Until, untilUs);
                statement.Bind(JournalQuerySql.UntilCeiling, JournalReceivedMarks.AllReceivedBeforeAtMost(_connection, untilUs));
            }
            statement.Bind(JournalQuerySql.Limit, query.Limit);
            for (int i = 0; i < events.Count; i++) statement.Bind(JournalQuerySql.FirstEvent + i, events[i]);
            var rows = ReadRows(statement, query.Limit);
            rows.Reverse();
            return rows;
        }
    }

    /// <summary>The database's page size in bytes (<see cref="JournalOptions.NewJournalPageSize"/> when this build created it).</summary>
    public int PageSize => Writer.PageSize;

    /// <summary>Bytes of database pages in use, the figure <see cref="JournalOptions.RetentionMaxBytes"/> limits; read on
    /// the read connection, so it never waits for the writer.</summary>
    public long UsedBytes
    {
        get
        {
            lock (_gate) return UsedBytesOf(_connection);
        }
    }

    /// <summary>Bytes of the pages in use (the file minus its free list), as of the connection's last snapshot.</summary>
    internal static long UsedBytesOf(SqliteConnection connection) =>
        (connection.ExecuteScalar("PRAGMA page_count") - connection.ExecuteScalar("PRAGMA freelist_count")) * connection.ExecuteScalar("PRAGMA page_size");

    /// <inheritdoc />
    public void Dispose()
    {
        _writeStore?.Dispose();
        lock (_gate)
        {
            _readAfter.Dispose();
            _connection.Dispose();
        }
    }

    /// <summary>Commits a batch in one synced transaction and wakes waiters; throws (nothing committed) on failure. For callers
    /// that own the write connection (tests, tools), not while a <see cref="JournalWriter"/> runs.</summary>
    internal long Append(IReadOnlyList<VmEvent> batch)
    {
        long lastSeq = Writer.Append(batch, sync: true).LastSeq;
        Committed(lastSeq);
        return lastSeq;
    }

    /// <summary>Wakes <see cref="WaitForCommitAsync"/> waiters for a commit made on <see cref="Writer"/>.</summary>
    internal void Committed(long lastSeq) => _signal.Committed(lastSeq);

    internal JournalWriteStore Writer =>
        _writeStore ?? throw new InvalidOperationException($"Journal '{Path}' is open read-only.");

    private long Scalar(string sql)
    {
        lock (_gate) return _connection.ExecuteScalar(sql);
    }

    private static List<JournalEntry> ReadRows(SqliteStatement statement, int max)
    {
        var rows = new List<JournalEntry>(Math.Min(max, 1024));
        while (rows.Count < max && statement.Step())
        {
            long timestampUs = statement.GetInt64(3);
            string eventName = statement.GetString(2);
            rows.Add(new JournalEntry(
                Seq: statement.GetInt64(0),
                Vm: statement.GetString(1),
                Event: eventName,
                Timestamp: new QmpTimestamp(timestampUs / 1_000_000, timestampUs % 1_000_000),
                Received: DateTimeOffset.UnixEpoch.AddTicks(statement.GetInt64(4) * TimeSpan.TicksPerMicrosecond),
                RawJson: JournalRawForm.Restore(statement.GetInt64(5), eventName, timestampUs, statement.GetBlob(6)),
                Flags: (statement.GetInt64(7) != 0 ? VmEventFlags.Critical : 0) | (statement.GetInt64(8) != 0 ? VmEventFlags.Gap : 0)));
        }
        return rows;
    }
}
