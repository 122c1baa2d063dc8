using Appliance.Bridge.Journal.CriticalLog;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Journal;

/// <summary>The durable event journal: a SQLite database in WAL mode with one row per event.
/// Open it once per process; <see cref="JournalWriter"/> appends to it, sinks and the CLI read it through <see cref="IJournalReader"/>.</summary>
public sealed class EventJournal : IJournalReader, IDisposable
{
    private readonly JournalWriteStore? _writeStore;
    private readonly JournalReadStore _readStore;
    private readonly JournalCommitSignal _signal;
    private readonly CriticalEventLog? _criticalLog;
    private readonly CriticalLogRecovery.Outcome? _criticalLogOutcome;

    private EventJournal(JournalWriteStore? writeStore, JournalReadStore readStore, string path,
        CriticalEventLog? criticalLog = null, CriticalLogRecovery.Outcome? criticalLogOutcome = null)
    {
        _writeStore = writeStore;
        _criticalLog = criticalLog;
        _criticalLogOutcome = criticalLogOutcome;
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
        CriticalEventLog? criticalLog = null;
        try
        {
            // Before anything reads the table: it must hold the critical events a power cut took from it.
            criticalLog = CriticalLogRecovery.Run(writeStore, options, out var outcome);
            writeStore.CriticalNumberOf = criticalLog.NumberOf;
            return new EventJournal(writeStore, new JournalReadStore(options.Path, readOnly: false), options.Path, criticalLog, outcome);
        }
        catch
        {
            criticalLog?.Dispose();
            writeStore.Dispose();
            throw;
        }
    }

    /// <summary>How many schema migrations <see cref="Open"/> will run on the journal at <paramref name="path"/>: 0 for a
    /// missing file (a new journal is created at once), or for one that cannot be read (<see cref="Open"/> reports why).
    /// Some migrations rewrite every row, which takes minutes on a large journal.</summary>
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

    /// <summary>Bytes appended to the write-ahead log since this journal was opened: frames of one page plus a 24-byte header each.</summary>
    public long WalBytesAppended => Writer.WalFrames.Appended * (Writer.PageSize + WalFrameHeaderBytes);

    private const int WalFrameHeaderBytes = 24;

    /// <summary>Bytes of database pages in use, the figure <see cref="JournalOptions.RetentionMaxBytes"/> limits.</summary>
    public long UsedBytes => Writer.UsedBytes();

    /// <inheritdoc />
    public void Dispose()
    {
        _criticalLog?.Dispose();
        _writeStore?.Dispose();
        _readStore.Dispose();
    }

    /// <summary>Commits a batch in one transaction and wakes waiters; throws (nothing committed) on failure.</summary>
    internal JournalAppendResult Append(IReadOnlyList<VmEvent> batch)
    {
        var result = Writer.Append(batch);
        Committed(result);
        return result;
    }

    /// <summary>Wakes <see cref="WaitForCommitAsync"/> waiters for a commit made on <see cref="Writer"/> directly, and
    /// lets the critical log reuse the space of the critical events a commit flushed by COMMIT holds (with Normal,
    /// <see cref="JournalWriter"/> does so after its own fsync of the write-ahead log).</summary>
    internal void Committed(JournalAppendResult result)
    {
        if (result.CriticalNumber > 0 && result.Flushed) _criticalLog?.Journaled(result.CriticalNumber);
        _signal.Committed(result.LastSeq);
    }

    /// <summary>The critical log of this run (<see cref="JournalOptions.CriticalLogBytes"/>); null when read-only.</summary>
    internal CriticalEventLog? CriticalLog => _criticalLog;

    /// <summary>What this open's recovery from the critical log did.</summary>
    internal CriticalLogRecovery.Outcome? CriticalLogOutcome => _criticalLogOutcome;

    internal JournalWriteStore Writer =>
        _writeStore ?? throw new InvalidOperationException($"Journal '{Path}' is open read-only.");
}
