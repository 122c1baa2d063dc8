using Appliance.Bridge.Pipeline;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Bridge.Journal;

/// <summary>Makes each critical event durable before its commit: as it is published, a thread of its own writes it as
/// one small synced record into <c>journal.db-critical</c> (<see cref="JournalCriticalFile"/>), while the writer is
/// still committing the events queued before it. Once every record's event is committed, the records are zeroed and the
/// space is used again from the start.</summary>
/// <remarks>A head start, not the guarantee: the writer syncs the commit of every critical event as well, so an event
/// the lane drops (its queue is full), cannot place (the file is full or the event too large) or fails to write is
/// durable with its commit.</remarks>
internal sealed class JournalCriticalLane
{
    /// <summary>The file's size: room for about 500 critical events not yet committed.</summary>
    internal const long FileBytes = 256 * 1024;

    private const int MaxRecordBytes = 16 * 1024;
    // Events committed before the lane took them; its queue holds fewer, so older ones can be forgotten.
    private const int CommittedFirstCapacity = 1024;
    private static readonly byte[] Zeros = new byte[FileBytes];

    private readonly Lock _gate = new();
    private readonly EventSubscription _subscription;
    private readonly SafeFileHandle _synced;
    private readonly SafeFileHandle _plain;
    // Records placed, and whether one of the two things that free one (its write returned, its event was committed) has happened.
    private readonly Dictionary<VmEvent, bool> _records = new(ReferenceEqualityComparer.Instance);
    private readonly Queue<VmEvent> _committedFirst = new();
    private readonly Dictionary<VmEvent, TaskCompletionSource<long>> _waiters = new(ReferenceEqualityComparer.Instance);
    private long _next = JournalCriticalFile.Sector;

    private JournalCriticalLane(EventSubscription subscription, SafeFileHandle synced, SafeFileHandle plain) =>
        (_subscription, _synced, _plain) = (subscription, synced, plain);

    /// <summary>Records written, and critical events left to their commit alone (no room, too large, a failed write).</summary>
    internal (long Written, long Skipped) Counts { get; private set; }

    /// <summary>Creates the file beside <paramref name="journalPath"/> and subscribes to the critical events of <paramref name="hub"/>.</summary>
    /// <exception cref="IOException">The file cannot be created.</exception>
    internal static JournalCriticalLane Create(string journalPath, EventHub hub)
    {
        string path = journalPath + JournalCriticalFile.Suffix;
        var synced = JournalCriticalFile.Create(path, FileBytes);
        try
        {
            var plain = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            return new(hub.Subscribe("journal-critical", EventDelivery.DropOldest, 256, e => e.IsCritical, wakeOnPublish: true), synced, plain);
        }
        catch
        {
            synced.Dispose();
            throw;
        }
    }

    /// <summary>Completes when <paramref name="criticalEvent"/> is durable (its record written, or its commit made) with
    /// the <see cref="System.Diagnostics.Stopwatch"/> timestamp of that moment. Call it before publishing the event (the bench and tests do).</summary>
    internal Task<long> WhenDurableAsync(VmEvent criticalEvent)
    {
        var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _waiters[criticalEvent] = waiter;
        return waiter.Task;
    }

    /// <summary>The writer committed (and synced) <paramref name="criticalEvent"/>.</summary>
    internal void Committed(VmEvent criticalEvent)
    {
        lock (_gate)
        {
            Durable(criticalEvent);
            if (!_records.TryGetValue(criticalEvent, out bool committed))
            {
                _committedFirst.Enqueue(criticalEvent);
                if (_committedFirst.Count > CommittedFirstCapacity) _committedFirst.Dequeue();
            }
            else if (committed) Release(criticalEvent);
            else _records[criticalEvent] = true;
        }
    }

    /// <summary>Writes records for the subscription's events until <paramref name="stoppingToken"/> is cancelled, then
    /// closes the file; blocks the calling thread.</summary>
    internal void Run(CancellationToken stoppingToken)
    {
        byte[] record = new byte[MaxRecordBytes];
        try
        {
            while (_subscription.Reader.WaitToReadAsync(stoppingToken).AsTask().GetAwaiter().GetResult())
            {
                while (_subscription.Reader.TryRead(out var criticalEvent)) Write(criticalEvent, record);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the writer commits (and syncs) what is queued.
        }
        finally
        {
            lock (_gate)
            {
                _synced.Dispose();
                _plain.Dispose();
            }
        }
    }

    private void Write(VmEvent criticalEvent, byte[] record)
    {
        int length = JournalCriticalFile.Encode(criticalEvent, record);
        long offset;
        lock (_gate)
        {
            if (_committedFirst.Any(e => ReferenceEquals(e, criticalEvent))) return;
            if (length == 0 || _next + length > FileBytes)
            {
                Counts = (Counts.Written, Counts.Skipped + 1);
                return;
            }
            (offset, _next) = (_next, _next + length);
            _records[criticalEvent] = false;
        }
        bool written = true;
        try
        {
            RandomAccess.Write(_synced, record.AsSpan(0, length), offset);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            written = false;
        }
        lock (_gate)
        {
            Counts = written ? (Counts.Written + 1, Counts.Skipped) : (Counts.Written, Counts.Skipped + 1);
            if (written) Durable(criticalEvent);
            if (!written || _records[criticalEvent]) Release(criticalEvent);
            else _records[criticalEvent] = true;
        }
    }

    // Under _gate. Once no record waits for its commit, the used space is zeroed (not synced: a record that survives a
    // power cut anyway is of a committed event, which recovery finds in the table) and used again from the start.
    private void Release(VmEvent criticalEvent)
    {
        _records.Remove(criticalEvent);
        if (_records.Count > 0 || _next == JournalCriticalFile.Sector) return;
        try
        {
            RandomAccess.Write(_plain, Zeros.AsSpan(0, (int)(_next - JournalCriticalFile.Sector)), JournalCriticalFile.Sector);
            _next = JournalCriticalFile.Sector;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The space stays used (or the lane has stopped); once the file is full, critical events are durable with their commit alone.
        }
    }

    private void Durable(VmEvent criticalEvent)
    {
        if (_waiters.Remove(criticalEvent, out var waiter)) waiter.TrySetResult(System.Diagnostics.Stopwatch.GetTimestamp());
    }
}
