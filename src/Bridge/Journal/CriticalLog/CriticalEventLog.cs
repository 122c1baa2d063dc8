using System.Diagnostics;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Journal.CriticalLog;

/// <summary>Makes each critical event durable ahead of the ordinary events queued before it: a synced write of one
/// small record to a file of its own (<c>journal.db-critical</c>), on a thread of its own, while the journal writer is
/// still inserting what came first. Every open of the journal folds the records its table lacks back in, in order.</summary>
/// <remarks>
/// <para>Numbers: the journal's subscription calls <see cref="Assign"/> for each critical event just before queueing it,
/// one at a time (<see cref="EventSubscription.ObserveCritical"/>), so numbers follow the order the writer commits
/// critical events in. The commit holding number n also sets the journal's <c>critical_log</c> counter to n, in the
/// same transaction; after a power cut, the records numbered above the counter are exactly the critical events the
/// table lost.</para>
/// <para>A record's space is reused once the journal has flushed the commit holding its event (<see cref="Journaled"/>).
/// When the journal falls that far behind (a full disk), or the record is too large, the event is not written here and
/// is durable with its journal commit, as without the log.</para>
/// </remarks>
internal sealed class CriticalEventLog : IDisposable
{
    // Critical events waiting for their write; beyond this the log is far behind and the journal's commit is as soon.
    private const int MaxQueued = 1024;

    private readonly object _gate = new();
    private readonly Dictionary<VmEvent, Entry> _byEvent = new(ReferenceEqualityComparer.Instance);
    private readonly Queue<Entry> _unjournaled = new();
    private readonly Queue<Entry> _toWrite = new();
    private readonly SemaphoreSlim _work = new(0);
    private readonly CriticalLogFile? _file;
    private readonly CriticalLogRing? _ring;
    private readonly byte[] _scratch;
    private long _next;
    private long _durableThrough;

    /// <param name="file">The open file, or null when the log is off (numbers are still kept, for <see cref="WhenDurableAsync"/>).</param>
    /// <param name="nextNumber">The first number to give.</param>
    /// <param name="durableThrough">The journal's <c>critical_log</c> counter.</param>
    internal CriticalEventLog(CriticalLogFile? file, long nextNumber, long durableThrough)
    {
        _file = file;
        _ring = file is null ? null : new CriticalLogRing(CriticalLogCodec.HeaderBytes, file.Length);
        _scratch = new byte[_ring?.MaxRecordBytes ?? 0];
        _next = nextNumber;
        _durableThrough = durableThrough;
    }

    /// <summary>Writes, skips and failures.</summary>
    internal CriticalLogCounters Counters { get; } = new();

    /// <summary>Whether records are written (false: the log is off, or its file could not be used at open).</summary>
    internal bool Writes => _file is not null;

    /// <summary>Numbers <paramref name="criticalEvent"/> and queues its write; called in queue order, before it is queued.</summary>
    internal void Assign(VmEvent criticalEvent)
    {
        lock (_gate)
        {
            var entry = new Entry(criticalEvent, _next++);
            _byEvent[criticalEvent] = entry;
            _unjournaled.Enqueue(entry);
            if (_file is not null && _toWrite.Count < MaxQueued)
            {
                _toWrite.Enqueue(entry);
                _work.Release();
                return;
            }
        }
        Counters.Skip();
    }

    /// <summary>The number given to <paramref name="criticalEvent"/>, or 0 (not numbered, or already journaled).</summary>
    internal long NumberOf(VmEvent criticalEvent)
    {
        lock (_gate) return _byEvent.TryGetValue(criticalEvent, out var entry) ? entry.Number : 0;
    }

    /// <summary>The journal flushed a commit holding every critical event numbered up to <paramref name="number"/>.</summary>
    internal void Journaled(long number)
    {
        lock (_gate)
        {
            if (number <= _durableThrough) return;
            _durableThrough = number;
            _ring?.Free(number);
            while (_unjournaled.Count > 0 && _unjournaled.Peek().Number <= number)
            {
                var entry = _unjournaled.Dequeue();
                _byEvent.Remove(entry.Event);
                entry.Durable.TrySetResult();
            }
        }
    }

    /// <summary>Completes when <paramref name="criticalEvent"/>, already published, is durable: written to this log, or
    /// in a flushed journal commit, whichever comes first.</summary>
    internal Task WhenDurableAsync(VmEvent criticalEvent, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _byEvent.TryGetValue(criticalEvent, out var entry) ? entry.Durable.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
        }
    }

    /// <summary>Writes queued records until <paramref name="stoppingToken"/> is cancelled; blocks the calling thread.</summary>
    internal void Run(CancellationToken stoppingToken)
    {
        if (_file is null) return;
        try
        {
            while (true)
            {
                _work.Wait(stoppingToken);
                WriteNext();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Queued records not written are durable with their journal commit.
        }
    }

    private void WriteNext()
    {
        Entry entry;
        long offset;
        int length;
        lock (_gate)
        {
            entry = _toWrite.Dequeue();
            // Already in a flushed commit: nothing to add.
            if (entry.Number <= _durableThrough) return;
            var record = ToRecord(entry);
            length = CriticalLogCodec.PaddedLength(record);
            if (!_ring!.TryPlace(entry.Number, length, out offset))
            {
                Counters.Skip();
                return;
            }
            CriticalLogCodec.Encode(record, _scratch);
        }
        long start = Stopwatch.GetTimestamp();
        try
        {
            _file!.Write(offset, _scratch.AsSpan(0, length));
        }
        catch (IOException)
        {
            Counters.Fail();
            return;
        }
        Counters.Wrote(Stopwatch.GetElapsedTime(start));
        entry.Durable.TrySetResult();
    }

    private static CriticalLogRecord ToRecord(Entry entry) => new(entry.Number, entry.Event.Vm, entry.Event.Flags,
        JournalWriteStore.ToMicroseconds(entry.Event.Received), entry.Event.Event.Raw.ToArray());

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var entry in _unjournaled) entry.Durable.TrySetCanceled();
            _unjournaled.Clear();
            _byEvent.Clear();
        }
        _file?.Dispose();
        _work.Dispose();
    }

    private sealed class Entry(VmEvent vmEvent, long number)
    {
        public VmEvent Event { get; } = vmEvent;

        public long Number { get; } = number;

        public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
