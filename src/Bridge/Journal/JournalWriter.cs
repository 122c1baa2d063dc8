using Appliance.Bridge.Journal.CriticalLog;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Journal;

/// <summary>Appends every event of a lossless <see cref="EventHub"/> subscription to the journal with group commit:
/// a batch commits when it holds <see cref="JournalOptions.BatchMaxEvents"/> events, when its first event has waited
/// <see cref="JournalOptions.BatchMaxDelay"/>, or at once when it reaches a critical event (then flushed to disk at once,
/// whatever <see cref="JournalOptions.Synchronous"/> says: by COMMIT itself with Full, by an fsync of the write-ahead
/// log right after it with Normal, see <see cref="JournalWalSync"/>).</summary>
/// <remarks>
/// <para>The writer runs on a thread of its own, not the thread pool: each batch is one SQLite transaction, and SQLite
/// blocks. Events are inserted into the open transaction as they arrive, so when a critical event comes the events
/// before it are already in, and only its own row and the COMMIT remain. While a critical event is queued, the batch
/// takes every event up to it whatever <see cref="JournalOptions.BatchMaxEvents"/> says: they must be committed
/// before it anyway, and one commit is sooner than several.</para>
/// <para>A failed commit (full disk, I/O error) is logged, counted and retried with backoff while the batch stays in
/// memory; meanwhile no more events are read, so the hub's bounded queue pushes back on the monitors. The loop never throws.</para>
/// </remarks>
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
    private readonly JournalWalSync? _walSync;
    private Task<bool>? _pendingRead;
    private volatile ManualResetEventSlim? _hold;
    private readonly CancellationTokenSource _stopping = new();
    private Task _drained = Task.CompletedTask;
    private Task _threads = Task.CompletedTask;

    /// <summary>Creates a writer; it starts reading when the host starts it (or <see cref="BackgroundService.StartAsync"/>).</summary>
    /// <param name="journal">The journal, opened with <see cref="EventJournal.Open"/>.</param>
    /// <param name="subscription">A <see cref="EventDelivery.Lossless"/> subscription to the hub.</param>
    /// <param name="options">Batching settings.</param>
    /// <param name="logger">Where commit failures are reported.</param>
    /// <param name="timeProvider">Time for the batch window and retry backoff; <see cref="TimeProvider.System"/> when null.</param>
    public JournalWriter(EventJournal journal, EventSubscription subscription, JournalOptions options,
        ILogger<JournalWriter>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        if (subscription.Delivery != EventDelivery.Lossless)
            throw new ArgumentException($"The journal needs a lossless subscription; '{subscription.Name}' drops events.", nameof(subscription));
        _journal = journal;
        _subscription = subscription;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<JournalWriter>.Instance;
        _batch = new List<VmEvent>(options.BatchMaxEvents);
        if (journal.CriticalLog is { } criticalLog) subscription.ObserveCritical(criticalLog.Assign);
        if (!journal.Writer.SyncsEveryCommit)
        {
            var delay = options.FlushCriticalBatches ? TimeSpan.Zero : options.CheckpointMaxDelay;
            _walSync = new JournalWalSync(journal.Path + "-wal", delay, _time, _logger, Counters, WalSynced);
        }
    }

    /// <summary>Rows, batches, bytes, errors and commit latency.</summary>
    public JournalWriterCounters Counters { get; } = new();

    /// <summary>Completes when the writing loop has ended: after the hub completed and every queued event was committed
    /// (or on cancellation). A clean stop waits for this, not for the writer's helper threads, which end with the host.</summary>
    public Task Drained => _drained;

    /// <summary>Events queued for the writer and not yet taken into a batch.</summary>
    public int Queued => _subscription.Reader.Count;

    /// <summary>Test hook: the writer stops before its next batch until the returned handle is disposed, as a writer
    /// stuck in a hung disk would (events keep queueing, nothing is committed or attempted).</summary>
    internal IDisposable Hold()
    {
        var hold = new ManualResetEventSlim(false);
        _hold = hold;
        return new Release(() =>
        {
            _hold = null;
            hold.Set();
        });
    }

    /// <summary>Writes to the critical log (see <see cref="JournalOptions.CriticalLogBytes"/>); empty when it is off.</summary>
    public CriticalLogCounters CriticalLogCounters => _journal.CriticalLog?.Counters ?? new CriticalLogCounters();

    /// <summary>Completes when <paramref name="criticalEvent"/>, a critical event already published to this writer's
    /// hub, is durable: written to the critical log, or in a journal commit flushed to disk, whichever comes first.
    /// Completes at once for an event that is not critical or was journaled already.</summary>
    public Task WhenDurableAsync(VmEvent criticalEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criticalEvent);
        return _journal.CriticalLog?.WhenDurableAsync(criticalEvent, cancellationToken) ?? Task.CompletedTask;
    }

    /// <summary>Starts the writing loop and its helper threads here, not in <see cref="ExecuteAsync"/>: since .NET 10 the
    /// host runs ExecuteAsync on the thread pool, so a busy pool could start it only after a stop had begun, and the
    /// queue would never be written.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_journal.CriticalLogOutcome is { } outcome)
        {
            if (outcome.Recovered > 0) LogCriticalRecovered(outcome.Recovered, CriticalLogRecovery.LogPath(_journal.Path));
            if (outcome.Unreadable > 0) LogCriticalUnreadable(outcome.Unreadable, CriticalLogRecovery.LogPath(_journal.Path));
            if (outcome.Problem is { } problem) LogCriticalLogProblem(problem);
        }
        var stoppingToken = _stopping.Token;
        _drained = DedicatedThread.Run("journal writer", () => Run(stoppingToken));
        var threads = new List<Task> { _drained };
        if (_walSync is { } walSync) threads.Add(DedicatedThread.Run("journal wal sync", () => walSync.Run(stoppingToken)));
        if (_journal.CriticalLog is { Writes: true } criticalLog) threads.Add(DedicatedThread.Run("critical log", () => criticalLog.Run(stoppingToken)));
        _threads = Task.WhenAll(threads);
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false); // waits for ExecuteTask: the threads
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _threads;

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _walSync?.Dispose();
        _stopping.Dispose();
    }

    private void Run(CancellationToken stoppingToken)
    {
        try
        {
            while (WaitToRead(timeout: null, stoppingToken) == ReadWait.Ready)
            {
                _hold?.Wait(stoppingToken);
                if (!TryStreamBatch(stoppingToken)) CommitWithRetry(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a batch that could not be committed stays unjournaled, which the log says.
            if (_batch.Count > 0) LogAbandoned(_batch.Count);
        }
    }

    /// <summary>Reads one batch into an open transaction and commits it; false when that failed, the batch then being
    /// whole in memory for <see cref="CommitWithRetry"/>.</summary>
    private bool TryStreamBatch(CancellationToken cancellationToken)
    {
        _batch.Clear();
        long start = _time.GetTimestamp();
        var store = _journal.Writer;
        bool critical = false;
        try
        {
            store.Begin();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return FailInMemory(e, start, cancellationToken);
        }
        try
        {
            critical = DrainInto(store);
            while (!critical && _batch.Count < BatchLimit)
            {
                var remaining = _options.BatchMaxDelay - _time.GetElapsedTime(start);
                if (remaining <= TimeSpan.Zero || WaitToRead(remaining, cancellationToken) != ReadWait.Ready) break;
                critical = DrainInto(store);
            }
        }
        catch (Exception e)
        {
            store.Abandon();
            if (e is OperationCanceledException) throw;
            // The rows inserted so far were rolled back with the transaction; the events are all in _batch.
            return FailInMemory(e, start, cancellationToken);
        }
        return TryCommit();
    }

    // What is queued is taken out first and inserted after: a publisher waiting for room in a full queue is then woken
    // once for many free slots, not once per row (that cost twice the CPU per event under a flood).
    private bool DrainInto(JournalWriteStore store)
    {
        int first = _batch.Count;
        bool critical = TakeQueued();
        for (int i = first; i < _batch.Count; i++) store.Add(_batch[i]);
        return critical;
    }

    // Moves queued events into the batch up to its limit; true when it stopped at a critical event, which ends the batch:
    // the events queued behind it wait for the next commit instead of delaying this one.
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

    // Commits the open transaction, which holds the whole batch (an empty one is rolled back rather than counted).
    private bool TryCommit()
    {
        if (_batch.Count == 0)
        {
            _journal.Writer.Abandon();
            return true;
        }
        try
        {
            long commitStart = _time.GetTimestamp();
            Committed(_batch.Count, _journal.Writer.Commit(), commitStart);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Commit rolled the transaction back; the batch is whole in memory.
            Fail(e);
            return false;
        }
    }

    // Counters and the sync request first, then the wake-up: whoever sees the commit sees it counted, and its sync asked
    // for. A commit holding critical events that COMMIT did not flush (Normal) is flushed next, off this thread:
    // readers see it now, the disk a few ms later.
    private void Committed(int rows, JournalAppendResult result, long commitStart)
    {
        Counters.Committed(rows, result.Bytes, _time.GetElapsedTime(commitStart), result.Flushed);
        if (result.CriticalNumber > 0 && !result.Flushed) _walSync?.Request(result.CriticalNumber);
        _journal.Committed(result);
    }

    // Only now may the critical log reuse the records of these events: their commits are on disk.
    private void WalSynced(long criticalNumber) => _journal.CriticalLog?.Journaled(criticalNumber);

    private bool FailInMemory(Exception e, long start, CancellationToken cancellationToken)
    {
        FillInMemory(start, cancellationToken);
        Fail(e);
        return false;
    }

    // After a failure the batch goes on as before, in memory, up to its usual end; CommitWithRetry then commits it whole.
    private void FillInMemory(long start, CancellationToken cancellationToken)
    {
        if (_batch.Count > 0 && _batch[^1].IsCritical) return;
        while (!TakeQueued() && _batch.Count < BatchLimit)
        {
            var remaining = _options.BatchMaxDelay - _time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero || WaitToRead(remaining, cancellationToken) != ReadWait.Ready) return;
        }
    }

    // While a critical event is queued, everything ahead of it goes into one transaction with it.
    private int BatchLimit => _subscription.CriticalQueued > 0
        ? Math.Max(_options.BatchMaxEvents, CriticalBatchMaxEvents)
        : _options.BatchMaxEvents;

    private enum ReadWait
    {
        Ready,
        TimedOut,
        Completed,
    }

    // Blocks this thread until an event can be read, the timeout passes (on _time) or the hub completes. One outstanding
    // WaitToReadAsync survives a timeout, so no waiter is ever abandoned.
    private ReadWait WaitToRead(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var read = _pendingRead ?? _subscription.Reader.WaitToReadAsync(cancellationToken).AsTask();
        _pendingRead = null;
        if (!read.IsCompleted && timeout is { } limit && !DedicatedThread.WaitForFirst(_ => read, limit, _time, cancellationToken))
        {
            _pendingRead = read;
            return ReadWait.TimedOut;
        }
        return read.GetAwaiter().GetResult() ? ReadWait.Ready : ReadWait.Completed;
    }

    private void CommitWithRetry(CancellationToken cancellationToken)
    {
        var retry = new JournalRetryDelays();
        while (true)
        {
            Task.Delay(retry.Current, _time, cancellationToken).GetAwaiter().GetResult();
            retry.Grow();
            long start = _time.GetTimestamp();
            try
            {
                var result = _journal.Writer.Append(_batch);
                Committed(_batch.Count, result, start);
                LogRecovered(_batch.Count, result.LastSeq);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Fail(e, retry.Current);
            }
        }
    }

    // Full disk and I/O errors are the expected causes; anything else is retried the same way rather than ending the
    // loop, so the events stay in memory and the log keeps saying why.
    private void Fail(Exception e, TimeSpan? retryDelay = null)
    {
        Counters.Failed(_batch.Count, e.Message, retryDelay ?? JournalRetryDelays.First);
        LogCommitFailed(e, _batch.Count, _journal.Path, retryDelay ?? JournalRetryDelays.First);
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

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Journal: put back {Count} critical events from '{Path}' that a power cut had taken from the journal")]
    private partial void LogCriticalRecovered(int count, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal: {Count} records of '{Path}' hold no QMP event and were left out")]
    private partial void LogCriticalUnreadable(int count, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal critical log: {Problem}")]
    private partial void LogCriticalLogProblem(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal writer stopped with {Count} uncommitted events")]
    private partial void LogAbandoned(int count);
}
