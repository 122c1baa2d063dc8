using System.Buffers;
using System.Collections.Concurrent;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt.Client;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Mqtt;

/// <summary>Publishes committed journal rows, in journal order, from the durable cursor: at least once, with the
/// cursor moved only over the contiguous prefix of acknowledged (or quarantined) rows.</summary>
internal sealed partial class EventForwarder
{
    private const int PubackFailure = 0x80;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CursorSaveInterval = TimeSpan.FromSeconds(1);

    private readonly MqttMirrorOptions _options;
    private readonly MqttTopics _topics;
    private readonly IJournalReader _journal;
    private readonly MqttConnection _connection;
    private readonly MirrorCounters _counters;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Signal _wake = new();
    private readonly ConcurrentQueue<JournalEntry> _retries = new();
    private readonly RejectionTracker _rejections;
    private readonly EventTopicCache _eventTopics;
    private readonly BacklogLimit _backlogLimit;
    private readonly ArrayBufferWriter<byte> _payload = new(1024);
    private readonly EventPayload _payloadWriter;
    private DeliveryWindow _window = new(0);
    private long _readAfter;
    private long _savedCursor;
    private long _savedAt;
    private long _progressAt;
    private long _progressCursor;
    private long _suspect;
    private long _isolated;
    private int _reconnected;
    private SkippedRange? _gapInFlight; // the backlog-limit gap message sent and not yet acknowledged
    // Until the first connect nothing is live: everything is backlog.
    private long _replayedThrough = long.MaxValue;

    public EventForwarder(MqttMirrorOptions options, MqttTopics topics, IJournalReader journal, MqttConnection connection,
        MirrorCounters counters, ILogger logger, TimeProvider time)
    {
        _options = options;
        _topics = topics;
        _journal = journal;
        _connection = connection;
        _counters = counters;
        _logger = logger;
        _time = time;
        _rejections = new RejectionTracker(options.MaxRejections);
        _eventTopics = new EventTopicCache(topics);
        _backlogLimit = new BacklogLimit(options, journal, time);
        _payloadWriter = new EventPayload(topics.Node);
    }

    /// <summary>The last seq handled, as it would be saved now.</summary>
    public long Cursor => _window.Cursor;

    /// <summary>On connect: sending resumes at once, from the cursor: what was in flight when the last connection
    /// ended got no PUBACK and is sent again (the client does not re-send it). Everything committed by now is the
    /// backlog: sent on this connection, it is marked replayed.</summary>
    public void Connected()
    {
        Interlocked.Exchange(ref _replayedThrough, _journal.LastCommittedSeq);
        // Time spent disconnected is not a stall.
        Interlocked.Exchange(ref _progressAt, _time.GetTimestamp());
        Interlocked.Exchange(ref _reconnected, 1);
        _rejections.SessionStarted();
        _wake.Set();
    }

    /// <summary>On a lost or refused connection: a connection that came up and ended without acknowledging the
    /// oldest event in flight counts as a rejection of that event (see <see cref="RejectionTracker"/>).</summary>
    public void Disconnected()
    {
        if (!_rejections.SessionEnded() || _window.Oldest is not { } seq) return;
        _counters.AddRejected();
        if (!_rejections.Reject(seq, out _)) return;
        // Sent again on the next connection, it may end that one too: the loop deals with it.
        Interlocked.Exchange(ref _suspect, seq);
        _wake.Set();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _savedCursor = _readAfter = _journal.GetCursor(_options.CursorName);
        _window = new DeliveryWindow(_readAfter);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                SaveCursor(force: false);
                HandleSuspect();
                ResendAfterReconnect();
                ResendIfStalled();
                bool busy;
                try
                {
                    busy = await SendOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _connection.Flush();
                    // A journal read error must not end delivery for good: log, pause, try again.
                    LogReadFailed(_readAfter, e);
                    await Task.Delay(RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                // Events are published unflushed: each pass goes to the socket as one write.
                _connection.Flush();
                if (!busy) await IdleAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            SaveCursor(force: true);
        }
    }

    /// <summary>Sends what the window has room for; false when there is nothing to do right now.</summary>
    private async Task<bool> SendOnceAsync(CancellationToken cancellationToken)
    {
        // Nothing is queued while disconnected: the connect wakes the loop.
        if (!_connection.IsConnected) return false;
        if (_retries.TryDequeue(out var retry))
        {
            if (!Send(retry)) _retries.Enqueue(retry);
            return true;
        }
        if (!WantsRefill) return false;
        if (_window.Count == 0 && Interlocked.Read(ref _isolated) == 0 && _backlogLimit.Excess(_readAfter) is { } skip)
        {
            // Refused by the client now (the connect wakes the loop if it ended): try again shortly.
            if (!SkipBacklog(skip) && _connection.IsConnected) await Task.Delay(RetryDelay, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        int room = _options.MaxInFlight - _window.Count;
        var batch = _journal.ReadAfter(_readAfter, Interlocked.Read(ref _isolated) != 0 ? 1 : Math.Min(room, 512));
        if (batch.Count == 0) return false;
        long lost = batch[0].Seq - _readAfter - 1;
        if (lost > 0)
        {
            _counters.AddLostToRetention(lost);
            LogLostToRetention(lost, _readAfter + 1, batch[0].Seq - 1);
        }
        foreach (var entry in batch)
        {
            if (!Send(entry))
            {
                // The connection ended meanwhile (the connect wakes the loop), or could not take it now: try again
                // shortly from here.
                _connection.Flush();
                if (_connection.IsConnected) await Task.Delay(RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                return true;
            }
            _readAfter = entry.Seq;
        }
        return true;
    }

    /// <summary>Skips the oldest undelivered events, past the backlog bound, for MQTT: one gap message stands for
    /// them, and the cursor stays before them until the broker has it (so a restart meanwhile decides again).</summary>
    private bool SkipBacklog(SkippedRange skip)
    {
        _window.Rewind(skip.Last);
        _window.Sent(skip.First);
        _gapInFlight = skip;
        if (!PublishGap(skip))
        {
            _gapInFlight = null;
            _window.Rewind(skip.First - 1);
            return false;
        }
        _counters.AddSkippedForBacklog(skip.Count);
        LogSkippedForBacklog(skip.Count, skip.First, skip.Last);
        _readAfter = skip.Last;
        return true;
    }

    private bool PublishGap(SkippedRange skip) =>
        _connection.Publish(_topics.NodeEvent(Pipeline.ApplianceEventNames.Gap), _backlogLimit.GapPayload(skip, _topics.Node), retain: false,
            reason =>
            {
                // A gap the broker refuses is not sent again: the skip is still counted and logged.
                if (reason >= PubackFailure) _counters.AddRejected();
                Interlocked.CompareExchange(ref _gapInFlight, null, skip);
                _window.Done(skip.First);
                _wake.Set();
            }).Accepted;

    private async Task IdleAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var woken = _wake.WaitAsync(stop.Token);
        var committed = WantsRefill && _connection.IsConnected
            ? _journal.WaitForCommitAsync(_readAfter, stop.Token).AsTask()
            : Task.Delay(Timeout.Infinite, stop.Token);
        var saveDue = _window.Cursor != _savedCursor
            ? Task.Delay(CursorSaveInterval, _time, stop.Token)
            : _window.Count > 0 ? Task.Delay(_options.StallTimeout, _time, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);
        await Task.WhenAny(woken, committed, saveDue).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Refill the window once a sixteenth of it is acknowledged, so that under a backlog each journal read
    /// fetches a batch instead of one row per PUBACK (a read per event halved the throughput), yet the broker always
    /// has publishes coming: waiting for half the window let the link fall idle between batches, and with
    /// mosquitto's PUBACKs held back by Nagle's algorithm until our delayed ACK, the flood ran at half the rate
    /// (11,600 against 22,600-29,800 events/s in the same minute, `--mqtt-flood-child 50000 256`).</summary>
    private int RefillAt => _options.MaxInFlight - Math.Max(1, _options.MaxInFlight / 16);

    /// <summary>True when the window has room for another batch.</summary>
    private bool WantsRefill => Interlocked.Read(ref _isolated) != 0 ? _window.Count == 0 : _window.Count <= RefillAt;

    /// <summary>Hands one row to the connection; false when it should be tried again later.</summary>
    private bool Send(JournalEntry entry)
    {
        _window.Sent(entry.Seq);
        _payload.ResetWrittenCount();
        bool replayed = entry.Seq <= Interlocked.Read(ref _replayedThrough);
        string? malformed = _payloadWriter.TryWrite(_payload, entry, replayed);
        if (malformed is not null || _payload.WrittenCount > _options.MaxPayloadBytes)
        {
            Quarantine(entry, malformed ?? $"payload of {_payload.WrittenCount} bytes exceeds MaxPayloadBytes {_options.MaxPayloadBytes}");
            return true;
        }
        var result = _connection.Publish(_eventTopics.For(entry.Vm, entry.Event), _payload.WrittenSpan, retain: false,
            reason => Acknowledged(entry, reason), _options.EventMessageExpiry, eventId: _payloadWriter.EventId, replayed: replayed, flush: false);
        if (result.Accepted)
        {
            _counters.AddPublished();
            return true;
        }
        if (result.Permanent)
        {
            Quarantine(entry, $"the MQTT client refused it: {result.Error}");
            return true;
        }
        // Left pending: the cursor cannot pass it, and the caller sends it again.
        return false;
    }

    private void Acknowledged(JournalEntry entry, int reasonCode)
    {
        if (reasonCode < PubackFailure)
        {
            _rejections.Forget(entry.Seq);
            _counters.AddAcknowledged();
            _window.Done(entry.Seq);
            // Sent alone and acknowledged: not the cause; back to the whole window.
            if (Interlocked.CompareExchange(ref _isolated, 0, entry.Seq) == entry.Seq) _wake.Set();
            // Wake the loop only when it has something to do: refill, or save the cursor once all is acknowledged.
            int left = _window.Count;
            if (left != RefillAt && left != 0) return;
        }
        else if (_window.Contains(entry.Seq))
        {
            _counters.AddRejected();
            if (_rejections.Reject(entry.Seq, out int times))
            {
                Quarantine(entry, $"the broker rejected it {times} times, last with reason code 0x{reasonCode:x2}");
            }
            else
            {
                _retries.Enqueue(entry);
            }
        }
        _wake.Set();
    }

    /// <summary>Safety net for at-least-once: if the oldest unacknowledged event has waited a whole
    /// <see cref="MqttMirrorOptions.StallTimeout"/> while connected, its PUBACK is taken as lost and the pending
    /// events are sent again (duplicates stay within the window; the consumer drops them by seq).</summary>
    private void ResendIfStalled()
    {
        long cursor = _window.Cursor;
        long now = _time.GetTimestamp();
        if (cursor != _progressCursor || _window.Count == 0 || !_connection.IsConnected)
        {
            _progressCursor = cursor;
            Interlocked.Exchange(ref _progressAt, now);
            return;
        }
        if (_time.GetElapsedTime(Interlocked.Read(ref _progressAt), now) < _options.StallTimeout) return;
        LogResending(_window.Count, cursor + 1);
        ResendPending();
        Interlocked.Exchange(ref _progressAt, now);
    }

    /// <summary>The broker dropped the connection again and again while one event was the oldest in flight. That
    /// event may be the cause, or an innocent one sent just before the cause (a connection reset can swallow its
    /// PUBACK). So first send that event alone; if the connection still drops while it is alone, quarantine it.
    /// Either way the rest then follows in seq order.</summary>
    private void HandleSuspect()
    {
        long seq = Interlocked.Exchange(ref _suspect, 0);
        if (seq == 0 || !_window.Contains(seq)) return;
        _retries.Clear();
        if (_gapInFlight is { } gap && gap.First == seq)
        {
            // The gap message is the one the broker keeps dropping the connection over: give it up rather than
            // send the skipped range after all. The skip itself stays counted and logged.
            _gapInFlight = null;
            _counters.AddQuarantined();
            LogGapGivenUp(_options.MaxRejections, gap.First, gap.Last);
            _window.Done(seq);
            ResendPending();
            return;
        }
        if (Interlocked.Read(ref _isolated) == seq)
        {
            string why = $"the broker dropped the connection {_options.MaxRejections} times while it was the only event in flight, without a PUBACK";
            if (ReadRow(seq) is { } entry) Quarantine(entry, why);
            else _window.Done(seq);
            Interlocked.Exchange(ref _isolated, 0);
            ResendPending();
            return;
        }
        LogIsolating(_options.MaxRejections, seq);
        // Everything from it on is read from the journal again, one event at a time until it is acknowledged.
        _window.Rewind(seq - 1);
        _readAfter = seq - 1;
        Interlocked.Exchange(ref _isolated, seq);
    }

    /// <summary>After a reconnect, everything still pending is read from the journal again from the cursor and sent
    /// in seq order (isolating one event, if that is under way, goes on).</summary>
    private void ResendAfterReconnect()
    {
        if (Interlocked.Exchange(ref _reconnected, 0) == 0 || _window.Count == 0) return;
        long cursor = _window.Cursor;
        _retries.Clear();
        _gapInFlight = null; // a gap not acknowledged is decided again from the cursor
        _window.Rewind(cursor);
        _readAfter = cursor;
    }

    /// <summary>Sends every pending event again, oldest first.</summary>
    private void ResendPending()
    {
        foreach (long seq in _window.Pending())
        {
            if (_gapInFlight is { } gap && gap.First == seq)
            {
                PublishGap(gap);
            }
            else if (ReadRow(seq) is { } row)
            {
                Send(row);
            }
            else
            {
                // Retention removed it meanwhile: nothing left to send.
                _counters.AddLostToRetention(1);
                _window.Done(seq);
            }
        }
    }

    private JournalEntry? ReadRow(long seq)
    {
        var row = _journal.ReadAfter(seq - 1, 1);
        return row.Count == 1 && row[0].Seq == seq ? row[0] : null;
    }

    private void Quarantine(JournalEntry entry, string why)
    {
        _rejections.Forget(entry.Seq);
        Interlocked.CompareExchange(ref _isolated, 0, entry.Seq);
        _counters.AddQuarantined();
        LogQuarantined(entry.Seq, entry.Vm, entry.Event, why);
        _window.Done(entry.Seq);
    }

    private void SaveCursor(bool force)
    {
        long cursor = _window.Cursor;
        if (cursor <= _savedCursor) return;
        long now = _time.GetTimestamp();
        bool due = force || _window.Count == 0 || _time.GetElapsedTime(_savedAt, now) >= CursorSaveInterval;
        if (!due) return;
        try
        {
            _journal.SetCursor(_options.CursorName, cursor);
            _savedCursor = cursor;
            _savedAt = now;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed save only means more duplicates after a restart; delivery goes on.
            LogCursorSaveFailed(cursor, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT quarantined journal row {Seq} ({Vm} {Event}): {Why}")]
    private partial void LogQuarantined(long seq, string vm, string @event, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: retention removed {Count} events (seq {From}..{To}) before they could be sent")]
    private partial void LogLostToRetention(long count, long from, long to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: backlog past its bound (Mqtt:MaxBacklogAge / MaxBacklogEvents): skipped {Count} events (seq {From}..{To}) for MQTT; they stay in the journal")]
    private partial void LogSkippedForBacklog(long count, long from, long to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: the broker dropped the connection {Times} times while the backlog-limit gap for seq {From}..{To} was in flight; the gap is given up, the skip stands")]
    private partial void LogGapGivenUp(int times, long from, long to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: no PUBACK for seq {Seq} in a long time while connected; sending {Count} pending events again")]
    private partial void LogResending(int count, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: the connection dropped {Times} times while seq {Seq} was the oldest event in flight, without its PUBACK; sending it alone to find out whether it is the cause")]
    private partial void LogIsolating(int times, long seq);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT could not read the journal after seq {Seq}; retrying")]
    private partial void LogReadFailed(long seq, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT could not save its journal cursor at {Cursor}")]
    private partial void LogCursorSaveFailed(long cursor, Exception exception);
}
