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
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    private readonly MqttMirrorOptions _options;
    private readonly MqttTopics _topics;
    private readonly IJournalReader _journal;
    private readonly MqttConnection _connection;
    private readonly MirrorCounters _counters;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Signal _wake = new();
    private readonly ConcurrentQueue<JournalEntry> _retries = new();
    private readonly ConcurrentDictionary<long, int> _rejections = new();
    private readonly ArrayBufferWriter<byte> _payload = new(1024);
    private DeliveryWindow _window = new(0);
    private long _readAfter;
    private long _savedCursor;
    private long _savedAt;
    private long _progressAt;
    private long _progressCursor;

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
    }

    /// <summary>The last seq handled, as it would be saved now.</summary>
    public long Cursor => _window.Cursor;

    /// <summary>Wakes the loop (on connect, so sending resumes at once).</summary>
    public void Wake()
    {
        // Time spent disconnected is not a stall.
        Interlocked.Exchange(ref _progressAt, _time.GetTimestamp());
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
                ResendIfStalled();
                bool busy;
                try
                {
                    busy = await SendOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A journal read error must not end delivery for good: log, pause, try again.
                    LogReadFailed(_readAfter, e);
                    await Task.Delay(RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
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
        if (_retries.TryDequeue(out var retry))
        {
            if (!Send(retry)) _retries.Enqueue(retry);
            return true;
        }
        int room = _options.MaxInFlight - _window.Count;
        if (room <= 0) return false;
        var batch = _journal.ReadAfter(_readAfter, Math.Min(room, 512));
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
                // libmosquitto could not queue it now (out of memory, shutting down): try again shortly from here.
                await Task.Delay(RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                return true;
            }
            _readAfter = entry.Seq;
        }
        return true;
    }

    private async Task IdleAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var woken = _wake.WaitAsync(stop.Token);
        var committed = _window.Count < _options.MaxInFlight
            ? _journal.WaitForCommitAsync(_readAfter, stop.Token).AsTask()
            : Task.Delay(Timeout.Infinite, stop.Token);
        var saveDue = _window.Cursor != _savedCursor
            ? Task.Delay(CursorSaveInterval, _time, stop.Token)
            : _window.Count > 0 ? Task.Delay(StallTimeout, _time, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);
        await Task.WhenAny(woken, committed, saveDue).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Hands one row to libmosquitto; false when it should be tried again later.</summary>
    private bool Send(JournalEntry entry)
    {
        _window.Sent(entry.Seq);
        _payload.ResetWrittenCount();
        string? malformed = EventPayload.TryWrite(_payload, entry, _topics.Node);
        if (malformed is not null || _payload.WrittenCount > _options.MaxPayloadBytes)
        {
            Quarantine(entry, malformed ?? $"payload of {_payload.WrittenCount} bytes exceeds MaxPayloadBytes {_options.MaxPayloadBytes}");
            return true;
        }
        var result = _connection.Publish(_topics.Event(entry.Vm, entry.Event), _payload.WrittenSpan, retain: false,
            reason => Acknowledged(entry, reason), _options.EventMessageExpiry);
        if (result.Accepted)
        {
            _counters.AddPublished();
            return true;
        }
        if (result.Permanent)
        {
            Quarantine(entry, $"libmosquitto refused it: {result.Code}");
            return true;
        }
        // Left pending: the cursor cannot pass it, and the caller sends it again.
        return false;
    }

    private void Acknowledged(JournalEntry entry, int reasonCode)
    {
        if (reasonCode < PubackFailure)
        {
            _rejections.TryRemove(entry.Seq, out _);
            _counters.AddAcknowledged();
            _window.Done(entry.Seq);
        }
        else
        {
            _counters.AddRejected();
            int times = _rejections.AddOrUpdate(entry.Seq, 1, (_, n) => n + 1);
            if (times >= _options.MaxRejections)
            {
                _rejections.TryRemove(entry.Seq, out _);
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
    /// <see cref="StallTimeout"/> while connected, its PUBACK is taken as lost and the pending events are sent again
    /// (duplicates stay within the window; the consumer drops them by seq).</summary>
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
        if (_time.GetElapsedTime(Interlocked.Read(ref _progressAt), now) < StallTimeout) return;
        var pending = _window.Pending();
        LogResending(pending.Length, cursor + 1);
        foreach (long seq in pending)
        {
            var row = _journal.ReadAfter(seq - 1, 1);
            if (row.Count == 1 && row[0].Seq == seq)
            {
                Send(row[0]);
            }
            else
            {
                // Retention removed it meanwhile: nothing left to send.
                _counters.AddLostToRetention(1);
                _window.Done(seq);
            }
        }
        Interlocked.Exchange(ref _progressAt, now);
    }

    private void Quarantine(JournalEntry entry, string why)
    {
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: no PUBACK for seq {Seq} in a long time while connected; sending {Count} pending events again")]
    private partial void LogResending(int count, long seq);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT could not read the journal after seq {Seq}; retrying")]
    private partial void LogReadFailed(long seq, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT could not save its journal cursor at {Cursor}")]
    private partial void LogCursorSaveFailed(long cursor, Exception exception);
}
