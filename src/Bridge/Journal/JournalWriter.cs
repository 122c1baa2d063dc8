using Appliance.Bridge.Sqlite;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Journal;

/// <summary>Appends every event of a lossless <see cref="EventHub"/> subscription to the journal with group commit:
/// a batch commits when it holds <see cref="JournalOptions.BatchMaxEvents"/> events, when its first event has waited
/// <see cref="JournalOptions.BatchMaxDelay"/>, or at once at a critical event. A commit holding a critical event is
/// synced to disk before <see cref="IJournalReader.WaitForCommitAsync"/> reports it, and the critical lane
/// (<see cref="JournalCriticalLane"/>) has usually made the event durable before that; every other commit is synced at
/// most <see cref="JournalOptions.SyncMaxDelay"/> after it. The write connection's only user while it runs: it also
/// runs retention between batches.</summary>
/// <remarks>It runs on a thread of its own, not the thread pool: SQLite blocks. A failed commit (full disk, I/O error) is
/// logged, counted and retried with backoff while the batch stays in memory; meanwhile no more events are read, so the
/// hub's bounded queue pushes back on the monitors. The loop never throws.</remarks>
public sealed partial class JournalWriter : BackgroundService
{
    // Bounds a batch that runs up to a queued critical event; the hub's queue holds 8192 events by default.
    private const int CriticalBatchMaxEvents = 16_384;

    private readonly EventJournal _journal;
    private readonly EventSubscription _subscription;
    private readonly JournalOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<VmEvent> _batch;
    private readonly JournalRetention _retention;
    private readonly JournalCheckpointer _checkpointer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly EventHub? _laneHub;
    private JournalCriticalLane? _lane;
    private long _unsyncedSince;
    private Task<bool>? _pendingRead;
    private volatile ManualResetEventSlim? _hold;
    private Task _drained = Task.CompletedTask;
    private long _retentionDue;
    private long _prunedThisPass = -1;

    /// <summary>The host's queue for the writer: when it is full, the monitors wait.</summary>
    public const int QueueLength = 65_536;

    /// <summary>Creates the host's writer of <paramref name="journal"/>: it subscribes to <paramref name="hub"/> as
    /// <c>journal</c>, lossless, with a queue of <see cref="QueueLength"/> events, and its critical lane as
    /// <c>journal-critical</c> when it starts.</summary>
    public JournalWriter(EventJournal journal, EventHub hub, JournalOptions options, ILogger<JournalWriter> logger, TimeProvider timeProvider)
        : this(journal, (hub ?? throw new ArgumentNullException(nameof(hub))).Subscribe("journal", EventDelivery.Lossless, QueueLength),
            options, logger, timeProvider, hub)
    {
    }

    /// <summary>Creates a writer of <paramref name="journal"/> (opened with <see cref="EventJournal.Open"/>) for a
    /// <see cref="EventDelivery.Lossless"/> subscription; it starts when the host starts it. Without
    /// <paramref name="laneHub"/>, the hub whose critical events the critical lane takes, critical events are durable
    /// with their synced commit alone.</summary>
    public JournalWriter(EventJournal journal, EventSubscription subscription, JournalOptions options,
        ILogger<JournalWriter>? logger = null, TimeProvider? timeProvider = null, EventHub? laneHub = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(options);
        if (subscription.Delivery != EventDelivery.Lossless)
            throw new ArgumentException($"The journal needs a lossless subscription; '{subscription.Name}' drops events.", nameof(subscription));
        _journal = journal;
        _subscription = subscription;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<JournalWriter>.Instance;
        _batch = new List<VmEvent>(options.BatchMaxEvents);
        _retention = new JournalRetention(journal, options, _time);
        _checkpointer = new JournalCheckpointer(journal.Path, options.CheckpointWalBytes);
        _retentionDue = _time.GetTimestamp();
        _laneHub = laneHub;
    }

    /// <summary>Rows, batches, bytes, syncs, errors, commit latency and retention passes.</summary>
    public JournalWriterCounters Counters { get; } = new();

    /// <summary>Completes when the loop has ended: the hub completed and every queued event was committed (or on cancellation).</summary>
    public Task Drained => _drained;

    /// <summary>Events queued for the writer and not yet taken into a batch.</summary>
    public int Queued => _subscription.Reader.Count;

    internal JournalCriticalLane? CriticalLane => _lane;

    /// <summary>Records the critical lane wrote, and critical events it left to their commit; null without a lane.</summary>
    public (long Written, long Skipped)? CriticalLaneCounts => _lane?.Counts;

    /// <summary>Test hook: the writer stops before its next batch until the returned handle is disposed, as a writer
    /// stuck in a hung disk would (events keep queueing, nothing is committed or attempted).</summary>
    internal IDisposable Hold()
    {
        var hold = new ManualResetEventSlim(false);
        _hold = hold;
        return new Release(() => { _hold = null; hold.Set(); });
    }

    /// <summary>Starts the writing loop here, not in <see cref="ExecuteAsync"/>: since .NET 10 the host runs ExecuteAsync
    /// on the thread pool, so a busy pool could start it only after a stop had begun, and the queue would never be written.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var stoppingToken = _stopping.Token;
        string criticalFile = _journal.Path + JournalCriticalFile.Suffix;
        // Still there after the open's recovery: it was left in place, and may hold critical events the table lacks.
        if (File.Exists(criticalFile)) LogCriticalFileLeft(criticalFile);
        else if (_laneHub is not null) StartLane(criticalFile, stoppingToken);
        _drained = DedicatedThread.Run("journal writer", () => Run(stoppingToken));
        _ = DedicatedThread.Run("journal checkpointer", () => _checkpointer.Run(stoppingToken));
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _drained;

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _checkpointer.Dispose();
        _stopping.Dispose();
    }

    private void StartLane(string path, CancellationToken stoppingToken)
    {
        try
        {
            var lane = _lane = JournalCriticalLane.Create(_journal.Path, _laneHub!);
            _ = DedicatedThread.Run("journal critical lane", () => lane.Run(stoppingToken));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogLaneUnavailable(e, path);
        }
    }

    private void Run(CancellationToken stoppingToken)
    {
        try
        {
            ReadWait wait;
            while ((wait = WaitToRead(UntilNextChore(), stoppingToken)) != ReadWait.Completed)
            {
                if (wait == ReadWait.Ready)
                {
                    _hold?.Wait(stoppingToken);
                    WriteBatch(stoppingToken);
                }
                DoChores();
            }
            // Drained: what the last commits left unsynced goes to disk before the loop ends.
            if (_unsyncedSince != 0) SyncWal();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a batch that could not be committed stays unjournaled, which the log says.
            if (_batch.Count > 0) LogAbandoned(_batch.Count);
        }
    }

    // Takes one batch from the queue and commits it; a failed commit (full disk, I/O error) is retried with backoff
    // while the batch stays in memory, and meanwhile no more events are read.
    private void WriteBatch(CancellationToken cancellationToken)
    {
        _batch.Clear();
        long start = _time.GetTimestamp();
        while (!TakeQueued() && _batch.Count < BatchLimit)
        {
            var remaining = _options.BatchMaxDelay - _time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero || WaitToRead(remaining, cancellationToken) != ReadWait.Ready) break;
        }
        if (_batch.Count == 0) return;
        // A batch holds at most one critical event, at its end (TakeQueued).
        var critical = _batch[^1].IsCritical ? _batch[^1] : null;
        // 100 ms, doubling up to 10 s; no jitter: one process retries one file.
        for (var retry = TimeSpan.FromMilliseconds(100); ; retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.TicksPerSecond * 10)))
        {
            long commitStart = _time.GetTimestamp();
            try
            {
                bool sync = critical is not null || _options.SyncMaxDelay <= TimeSpan.Zero || SyncDue(commitStart);
                Committed(_batch.Count, _journal.Writer.Append(_batch, sync), commitStart, sync);
                _unsyncedSince = sync ? 0 : _unsyncedSince == 0 ? commitStart : _unsyncedSince;
                if (critical is not null) _lane?.Committed(critical);
                if (retry.TotalMilliseconds > 100) LogRecovered(_batch.Count, _journal.LastCommittedSeq);
                _batch.Clear();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Full disk and I/O errors are the expected causes; anything else is retried the same way rather than
                // ending the loop, so the events stay in memory and the log keeps saying why.
                Counters.Failed(_batch.Count, e.Message, retry);
                LogCommitFailed(e, _batch.Count, _journal.Path, retry);
            }
            Task.Delay(retry, _time, cancellationToken).GetAwaiter().GetResult();
        }
    }

    // Moves queued events into the batch up to its limit; true when it stopped at a critical event, which ends the batch:
    // the events queued behind it wait for the next commit instead of delaying this one. Taken out first and inserted
    // after: a publisher waiting for room in a full queue is then woken once for many free slots, not once per row
    // (that cost twice the CPU per event under a flood).
    private bool TakeQueued()
    {
        while (_batch.Count < BatchLimit && _subscription.Reader.TryRead(out var vmEvent))
        {
            _batch.Add(vmEvent);
            if (!vmEvent.IsCritical) continue;
            _subscription.CriticalTaken();
            return true;
        }
        return false;
    }

    // The batch-commit point: every committed batch passes here once.
    private void Committed(int rows, (long LastSeq, long Bytes) result, long commitStart, bool synced)
    {
        Counters.Committed(rows, result.Bytes, _time.GetElapsedTime(commitStart), synced);
        _journal.Committed(result.LastSeq);
        _checkpointer.Committed(result.Bytes);
    }

    // The oldest unsynced commit has waited SyncMaxDelay.
    private bool SyncDue(long now) => _unsyncedSince != 0 && now - _unsyncedSince >= SyncDelayTicks;

    private long SyncDelayTicks => (long)(_options.SyncMaxDelay.TotalSeconds * _time.TimestampFrequency);

    private void SyncWal()
    {
        try
        {
            _journal.Writer.SyncWal();
            _unsyncedSince = 0;
            Counters.Synced();
        }
        catch (IOException e)
        {
            // Tried again after another SyncMaxDelay; the next synced commit syncs these as well.
            LogSyncFailed(e, _journal.Path);
            _unsyncedSince = _time.GetTimestamp();
        }
    }

    // Between batches: the WAL's sync when due, its bound, and one chunk of retention while a pass is running.
    private void DoChores()
    {
        if (SyncDue(_time.GetTimestamp())) SyncWal();
        BoundWal();
        if (_time.GetTimestamp() < _retentionDue) return;
        try
        {
            long pruned = _retention.PruneChunk();
            if (pruned > 0)
            {
                _prunedThisPass = Math.Max(0, _prunedThisPass) + pruned;
                return;
            }
            if (_prunedThisPass > 0) LogPruned(_prunedThisPass);
        }
        catch (SqliteException e)
        {
            LogRetentionFailed(e);
        }
        _prunedThisPass = -1;
        Counters.RetentionPassed();
        _retentionDue = _time.GetTimestamp() + (long)(_options.RetentionInterval.TotalSeconds * _time.TimestampFrequency);
    }

    // On slow storage the checkpointer falls behind a flood, and SQLite's own checkpoint then finds it busy.
    private void BoundWal()
    {
        try
        {
            if (_journal.Writer.WalBytes > 4 * _options.CheckpointWalBytes) _checkpointer.Between(_journal.Writer.Checkpoint);
        }
        catch (Exception e) when (e is SqliteException or IOException)
        {
            // A full disk or an I/O error, which the commits report as well; tried again after the next batch.
        }
    }

    // How long the loop may wait for events before a sync or retention is due: none while a retention pass is running.
    private TimeSpan UntilNextChore()
    {
        if (_prunedThisPass >= 0) return TimeSpan.Zero;
        long due = _unsyncedSince != 0 ? Math.Min(_retentionDue, _unsyncedSince + SyncDelayTicks) : _retentionDue;
        return TimeSpan.FromSeconds((double)(due - _time.GetTimestamp()) / _time.TimestampFrequency);
    }

    // While a critical event is queued, everything ahead of it goes into one transaction with it: it must be committed
    // before it anyway, and one commit is sooner than several.
    private int BatchLimit => _subscription.CriticalQueued > 0
        ? Math.Max(_options.BatchMaxEvents, CriticalBatchMaxEvents)
        : _options.BatchMaxEvents;

    private enum ReadWait { Ready, TimedOut, Completed }

    // Blocks this thread until an event can be read, the timeout passes (on _time) or the hub completes. One outstanding
    // WaitToReadAsync survives a timeout, so no waiter is ever abandoned.
    private ReadWait WaitToRead(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var read = _pendingRead ?? _subscription.Reader.WaitToReadAsync(cancellationToken).AsTask();
        _pendingRead = null;
        if (!read.IsCompleted && timeout is { } limit &&
            (limit <= TimeSpan.Zero || !DedicatedThread.WaitForFirst(_ => read, limit, _time, cancellationToken)))
        {
            _pendingRead = read;
            return ReadWait.TimedOut;
        }
        return read.GetAwaiter().GetResult() ? ReadWait.Ready : ReadWait.Completed;
    }

    private sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Journal commit of {Count} events to '{Path}' failed; keeping them in memory and retrying in {RetryDelay}")]
    private partial void LogCommitFailed(Exception exception, int count, string path, TimeSpan retryDelay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal recovered: committed {Count} held events up to seq {Seq}")]
    private partial void LogRecovered(int count, long seq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal retention pruned {Count} rows")]
    private partial void LogPruned(long count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal retention pass failed; retrying at the next interval")]
    private partial void LogRetentionFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal: '{Path}' was not put back into the journal (not this "
        + "journal's, unreadable, or the disk refused the rows). It may hold critical events a power cut took from the journal; "
        + "it is left untouched and tried again at the next start, and until then critical events are durable with their "
        + "synced commit alone: keep it with the journal (docs/journal.md)")]
    private partial void LogCriticalFileLeft(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal: cannot create the critical lane's file '{Path}'; critical "
        + "events are durable with their synced commit alone")]
    private partial void LogLaneUnavailable(Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal: syncing the write-ahead log of '{Path}' failed; trying again")]
    private partial void LogSyncFailed(Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal writer stopped with {Count} uncommitted events")]
    private partial void LogAbandoned(int count);
}
