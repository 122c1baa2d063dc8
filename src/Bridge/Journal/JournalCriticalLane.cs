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
internal sealed class JournalCriticalLane : IDisposable
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
    private readonly Dictionary<VmEvent, RecordState> _records = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<VmEvent> _committedFirst = new(ReferenceEqualityComparer.Instance);
    private readonly Queue<VmEvent> _committedFirstOrder = new();
    private readonly Dictionary<VmEvent, TaskCompletionSource> _waiters = new(ReferenceEqualityComparer.Instance);
    private long _next = JournalCriticalFile.Sector;

    private enum RecordState { Writing, Written, CommittedWhileWriting }

    private JournalCriticalLane(EventSubscription subscription, SafeFileHandle synced, SafeFileHandle plain)
    {
        _subscription = subscription;
        _synced = synced;
        _plain = plain;
    }

    /// <summary>Records written, and critical events left to their commit.</summary>
    internal long Written { get; private set; }

    /// <inheritdoc cref="Written"/>
    internal long Skipped { get; private set; }

    /// <summary>Creates the file beside <paramref name="journalPath"/> and subscribes to the critical events of <paramref name="hub"/>.</summary>
    /// <exception cref="IOException">The file cannot be created.</exception>
    internal static JournalCriticalLane Create(string journalPath, EventHub hub)
    {
        string path = journalPath + JournalCriticalFile.Suffix;
        var synced = JournalCriticalFile.Create(path, FileBytes);
        try
        {
            var plain = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            return new JournalCriticalLane(hub.Subscribe("journal-critical", EventDelivery.DropOldest, 256, e => e.IsCritical, wakeOnPublish: true), synced, plain);
        }
        catch
        {
            synced.Dispose();
            throw;
        }
    }

    /// <summary>Completes when <paramref name="criticalEvent"/> is durable: its record written, or its commit made.
    /// Call it before publishing the event (the bench and tests do).</summary>
    internal Task WhenDurableAsync(VmEvent criticalEvent)
    {
        lock (_gate)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters[criticalEvent] = waiter;
            return waiter.Task;
        }
    }

    /// <summary>The writer committed (and synced) <paramref name="criticalEvent"/>.</summary>
    internal void Committed(VmEvent criticalEvent)
    {
        lock (_gate)
        {
            Durable(criticalEvent);
            if (!_records.TryGetValue(criticalEvent, out var state))
            {
                _committedFirst.Add(criticalEvent);
                _committedFirstOrder.Enqueue(criticalEvent);
                if (_committedFirstOrder.Count > CommittedFirstCapacity) _committedFirst.Remove(_committedFirstOrder.Dequeue());
            }
            else if (state == RecordState.Writing) _records[criticalEvent] = RecordState.CommittedWhileWriting;
            else Release(criticalEvent);
        }
    }

    /// <summary>Writes records for the subscription's events until <paramref name="stoppingToken"/> is cancelled; blocks the calling thread.</summary>
    internal void Run(CancellationToken stoppingToken)
    {
        byte[] record = new byte[MaxRecordBytes];
        var reader = _subscription.Reader;
        try
        {
            while (reader.WaitToReadAsync(stoppingToken).AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var criticalEvent)) Write(criticalEvent, record);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the writer commits (and syncs) what is queued.
        }
    }

    private void Write(VmEvent criticalEvent, byte[] record)
    {
        int length = JournalCriticalFile.Encode(criticalEvent, record);
        long offset;
        lock (_gate)
        {
            if (_committedFirst.Remove(criticalEvent)) return;
            if (length == 0 || _next + length > FileBytes)
            {
                Skipped++;
                return;
            }
            offset = _next;
            _next += length;
            _records[criticalEvent] = RecordState.Writing;
        }
        bool written = true;
        try
        {
            RandomAccess.Write(_synced, record.AsSpan(0, length), offset);
        }
        catch (IOException)
        {
            written = false;
        }
        lock (_gate)
        {
            if (written) Written++;
            else Skipped++;
            if (written) Durable(criticalEvent);
            if (!written || _records[criticalEvent] == RecordState.CommittedWhileWriting) Release(criticalEvent);
            else _records[criticalEvent] = RecordState.Written;
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
        catch (IOException)
        {
            // The space stays used; once the file is full, critical events are durable with their commit alone.
        }
    }

    private void Durable(VmEvent criticalEvent)
    {
        if (_waiters.Remove(criticalEvent, out var waiter)) waiter.TrySetResult();
    }

    public void Dispose()
    {
        _synced.Dispose();
        _plain.Dispose();
    }
}
