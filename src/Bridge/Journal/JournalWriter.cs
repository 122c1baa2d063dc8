using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Journal;

/// <summary>Appends every event of a lossless <see cref="EventHub"/> subscription to the journal with group commit:
/// a batch commits when it holds <see cref="JournalOptions.BatchMaxEvents"/> events, when its first event has waited
/// <see cref="JournalOptions.BatchMaxDelay"/>, or at once when it reaches a critical event (flushed to disk at once,
/// whatever <see cref="JournalOptions.Synchronous"/> says).</summary>
/// <remarks>A failed commit (full disk, I/O error) is logged, counted and retried with backoff while the batch stays in
/// memory; meanwhile no more events are read, so the hub's bounded queue pushes back on the monitors. The loop never throws.</remarks>
public sealed partial class JournalWriter : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetryDelay = TimeSpan.FromSeconds(10);

    private readonly EventJournal _journal;
    private readonly EventSubscription _subscription;
    private readonly JournalOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<VmEvent> _batch;
    private Task<bool>? _pendingRead;

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
    }

    /// <summary>Rows, batches, bytes, errors and commit latency.</summary>
    public JournalWriterCounters Counters { get; } = new();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await FillBatchAsync(stoppingToken).ConfigureAwait(false))
            {
                await CommitWithRetryAsync(stoppingToken).ConfigureAwait(false);
            }
            // The hub completed: what was queued is in the last batch.
            if (_batch.Count > 0) await CommitWithRetryAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a batch that could not be committed stays unjournaled, which the log says.
            if (_batch.Count > 0) LogAbandoned(_batch.Count);
        }
    }

    /// <summary>Waits for the next batch; false when the subscription has completed and nothing is left.</summary>
    private async Task<bool> FillBatchAsync(CancellationToken cancellationToken)
    {
        _batch.Clear();
        if (!await NextReadAsync(cancellationToken).ConfigureAwait(false)) return false;
        long windowStart = _time.GetTimestamp();
        bool critical = Drain();
        while (!critical && _batch.Count < _options.BatchMaxEvents)
        {
            var remaining = _options.BatchMaxDelay - _time.GetElapsedTime(windowStart);
            if (remaining <= TimeSpan.Zero) break;
            var read = _pendingRead ??= _subscription.Reader.WaitToReadAsync(cancellationToken).AsTask();
            if (!read.IsCompleted)
            {
                using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(remaining, _time, window.Token);
                var first = await Task.WhenAny(read, delay).ConfigureAwait(false);
                await window.CancelAsync().ConfigureAwait(false);
                if (first == delay) break;
            }
            if (!await NextReadAsync(cancellationToken).ConfigureAwait(false)) break;
            critical = Drain();
        }
        return true;
    }

    // One outstanding WaitToReadAsync survives a batch window that expired first, so no waiter is ever abandoned.
    private async Task<bool> NextReadAsync(CancellationToken cancellationToken)
    {
        var read = _pendingRead ?? _subscription.Reader.WaitToReadAsync(cancellationToken).AsTask();
        _pendingRead = null;
        return await read.ConfigureAwait(false);
    }

    // The batch ends at a critical event: the events queued behind it wait for the next commit instead of delaying this one.
    private bool Drain()
    {
        while (_batch.Count < _options.BatchMaxEvents && _subscription.Reader.TryRead(out var vmEvent))
        {
            _batch.Add(vmEvent);
            if (vmEvent.IsCritical) return true;
        }
        return false;
    }

    private async Task CommitWithRetryAsync(CancellationToken cancellationToken)
    {
        var retryDelay = FirstRetryDelay;
        while (true)
        {
            long start = _time.GetTimestamp();
            try
            {
                var result = _journal.Append(_batch);
                Counters.Committed(_batch.Count, result.Bytes, _time.GetElapsedTime(start), result.Flushed);
                if (Counters.Errors > 0 && retryDelay > FirstRetryDelay) LogRecovered(_batch.Count, result.LastSeq);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Full disk and I/O errors are the expected causes; anything else is retried the same way rather than
                // ending the loop, so the events stay in memory and the log keeps saying why.
                Counters.Failed(_batch.Count);
                LogCommitFailed(e, _batch.Count, _journal.Path, retryDelay);
            }
            await Task.Delay(retryDelay, _time, cancellationToken).ConfigureAwait(false);
            retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, LastRetryDelay.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Journal commit of {Count} events to '{Path}' failed; keeping them in memory and retrying in {RetryDelay}")]
    private partial void LogCommitFailed(Exception exception, int count, string path, TimeSpan retryDelay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal recovered: committed {Count} held events up to seq {Seq}")]
    private partial void LogRecovered(int count, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal writer stopped with {Count} uncommitted events")]
    private partial void LogAbandoned(int count);
}
