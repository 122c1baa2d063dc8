using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Tests.Mqtt;

/// <summary>An <see cref="IJournalReader"/> test double honouring the contract: seq order, WaitForCommitAsync, cursors, pruning.</summary>
internal sealed class InMemoryJournal : IJournalReader
{
    private readonly object _gate = new();
    private readonly List<JournalEntry> _rows = [];
    private readonly Dictionary<string, long> _cursors = new(StringComparer.Ordinal);
    private TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSeq;
    private long _pruned;

    public long LastCommittedSeq
    {
        get { lock (_gate) return _lastSeq; }
    }

    public long PrunedCount
    {
        get { lock (_gate) return _pruned; }
    }

    /// <summary>Commits an event line; returns its seq.</summary>
    public long Append(string vm, string eventName, string rawJson, VmEventFlags flags = VmEventFlags.None)
    {
        TaskCompletionSource wake;
        long seq;
        lock (_gate)
        {
            seq = ++_lastSeq;
            _rows.Add(new JournalEntry(seq, vm, eventName, new QmpTimestamp(seq, 0), DateTimeOffset.UnixEpoch.AddSeconds(seq),
                Encoding.UTF8.GetBytes(rawJson), flags));
            wake = _committed;
            _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.SetResult();
        return seq;
    }

    /// <summary>Commits <paramref name="count"/> events spread round-robin over <paramref name="vms"/>.</summary>
    public void AppendMany(int count, params string[] vms)
    {
        for (int i = 0; i < count; i++)
        {
            string vm = vms[i % vms.Length];
            Append(vm, "RESUME", $$$"""{"timestamp": {"seconds": {{{i}}}, "microseconds": 0}, "event": "RESUME", "data": {"n": {{{i}}}}}""");
        }
    }

    /// <summary>Retention: removes the oldest <paramref name="count"/> rows.</summary>
    public void Prune(int count)
    {
        lock (_gate)
        {
            int n = Math.Min(count, _rows.Count);
            _rows.RemoveRange(0, n);
            _pruned += n;
        }
    }

    public IReadOnlyList<JournalEntry> ReadAfter(long afterSeq, int max)
    {
        lock (_gate)
        {
            return [.. _rows.Where(r => r.Seq > afterSeq).Take(max)];
        }
    }

    public async ValueTask WaitForCommitAsync(long afterSeq, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_lastSeq > afterSeq) return;
                wait = _committed.Task;
            }
            await wait.WaitAsync(cancellationToken);
        }
    }

    public long GetCursor(string sink)
    {
        lock (_gate) return _cursors.GetValueOrDefault(sink);
    }

    public void SetCursor(string sink, long seq)
    {
        lock (_gate)
        {
            if (seq < _cursors.GetValueOrDefault(sink)) throw new InvalidOperationException($"cursor {sink} moved back to {seq}");
            _cursors[sink] = seq;
        }
    }

    public IReadOnlyList<JournalEntry> Query(JournalQuery query)
    {
        lock (_gate)
        {
            return [.. _rows.Where(r => r.Seq > query.AfterSeq && (query.Vm is null || r.Vm == query.Vm)).TakeLast(query.Limit)];
        }
    }
}
