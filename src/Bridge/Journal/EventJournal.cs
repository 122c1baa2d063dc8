using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Journal;

/// <summary>The durable event journal: a SQLite database in WAL mode with one row per event.
/// Open it once per process; <see cref="JournalWriter"/> appends to it, sinks and the CLI read it through <see cref="IJournalReader"/>.</summary>
public sealed class EventJournal : IJournalReader, IDisposable
{
    private readonly JournalWriteStore? _writeStore;
    private readonly JournalReadStore _readStore;
    private readonly JournalCommitSignal _signal;

    private EventJournal(JournalWriteStore? writeStore, JournalReadStore readStore, string path)
    {
        _writeStore = writeStore;
        _readStore = readStore;
        Path = path;
        _signal = new JournalCommitSignal(writeStore?.LastSeq() ?? readStore.LastSeq());
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating or migrating) the journal for writing and reading.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="Sqlite.SqliteException">The file cannot be opened or the SQLite library is missing.</exception>
    public static EventJournal Open(JournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var writeStore = new JournalWriteStore(options);
        try
        {
            return new EventJournal(writeStore, new JournalReadStore(options.Path, readOnly: false), options.Path);
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
    /// (none): follow another process's commits by polling <see cref="ReadAfter"/> (see <see cref="Cli.JournalFollower"/>).</summary>
    public static EventJournal OpenReadOnly(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No journal at '{path}'.", path);
        return new EventJournal(null, new JournalReadStore(path, readOnly: true), path);
    }

    /// <inheritdoc />
    public long LastCommittedSeq => _writeStore is null ? Math.Max(_signal.Last, _readStore.LastSeq()) : _signal.Last;

    /// <inheritdoc />
    public long PrunedCount => _readStore.PrunedCount();

    /// <inheritdoc />
    public IReadOnlyList<JournalEntry> ReadAfter(long afterSeq, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        return _readStore.ReadAfter(afterSeq, max);
    }

    /// <inheritdoc />
    /// <remarks>A commit holding a critical event is reported once it is synced to disk.</remarks>
    public ValueTask WaitForCommitAsync(long afterSeq, CancellationToken cancellationToken) =>
        _signal.WaitAsync(afterSeq, cancellationToken);

    /// <inheritdoc />
    public long GetCursor(string sink)
    {
        ArgumentException.ThrowIfNullOrEmpty(sink);
        return _readStore.GetCursor(sink);
    }

    /// <inheritdoc />
    /// <remarks>A cursor never moves backwards: a smaller <paramref name="seq"/> than the stored one is ignored.</remarks>
    public void SetCursor(string sink, long seq)
    {
        ArgumentException.ThrowIfNullOrEmpty(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        if (_writeStore is null) throw new InvalidOperationException($"Journal '{Path}' is open read-only; cursors cannot be moved.");
        _readStore.SetCursor(sink, seq);
    }

    /// <inheritdoc />
    public IReadOnlyList<JournalEntry> Query(JournalQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit <= 0) throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "JournalQuery.Limit must be positive.");
        if (query.Since is { } since && query.Until is { } until && until < since)
            throw new ArgumentException($"JournalQuery.Until ({until:O}) is before Since ({since:O}).", nameof(query));
        return _readStore.Query(query);
    }

    /// <summary>The database's page size in bytes (<see cref="JournalOptions.NewJournalPageSize"/> when this build created it).</summary>
    public int PageSize => Writer.PageSize;

    /// <summary>Bytes of database pages in use, the figure <see cref="JournalOptions.RetentionMaxBytes"/> limits; read on
    /// the read connection, so it never waits for the writer.</summary>
    public long UsedBytes => _readStore.UsedBytes();

    /// <inheritdoc />
    public void Dispose()
    {
        _writeStore?.Dispose();
        _readStore.Dispose();
    }

    /// <summary>Commits a batch in one transaction and wakes waiters; throws (nothing committed) on failure. For callers
    /// that own the write connection (tests, tools), not while a <see cref="JournalWriter"/> runs.</summary>
    internal long Append(IReadOnlyList<VmEvent> batch)
    {
        long lastSeq = Writer.Append(batch).LastSeq;
        Committed(lastSeq);
        return lastSeq;
    }

    /// <summary>Wakes <see cref="WaitForCommitAsync"/> waiters for a commit made on <see cref="Writer"/>.</summary>
    internal void Committed(long lastSeq) => _signal.Committed(lastSeq);

    internal JournalWriteStore Writer =>
        _writeStore ?? throw new InvalidOperationException($"Journal '{Path}' is open read-only.");
}
