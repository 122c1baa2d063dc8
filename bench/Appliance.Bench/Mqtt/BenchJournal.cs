using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bench.Mqtt;

/// <summary>A journal already holding a backlog of events, for the drain and throughput benchmarks.</summary>
internal sealed class BenchJournal : IJournalReader
{
    private readonly JournalEntry[] _rows;
    private long _cursor;

    public BenchJournal(int count, int vms)
    {
        var received = DateTimeOffset.UtcNow;
        _rows = new JournalEntry[count];
        for (int i = 0; i < count; i++)
        {
            string raw = $$$"""{"timestamp": {"seconds": {{{i}}}, "microseconds": 0}, "event": "RESUME", "data": {}}""";
            _rows[i] = new JournalEntry(i + 1, $"vm{i % vms}", "RESUME", new QmpTimestamp(i, 0), received, Encoding.UTF8.GetBytes(raw), VmEventFlags.None);
        }
    }

    public long LastCommittedSeq => _rows.Length;

    public long PrunedCount => 0;

    public long Cursor => Interlocked.Read(ref _cursor);

    public IReadOnlyList<JournalEntry> ReadAfter(long afterSeq, int max) =>
        new ArraySegment<JournalEntry>(_rows, (int)Math.Min(afterSeq, _rows.Length), (int)Math.Min(max, _rows.Length - Math.Min(afterSeq, _rows.Length)));

    public ValueTask WaitForCommitAsync(long afterSeq, CancellationToken cancellationToken) =>
        afterSeq < _rows.Length ? ValueTask.CompletedTask : new ValueTask(Task.Delay(Timeout.Infinite, cancellationToken));

    public long GetCursor(string sink) => Cursor;

    public void SetCursor(string sink, long seq) => Interlocked.Exchange(ref _cursor, seq);

    public IReadOnlyList<JournalEntry> Query(JournalQuery query) => [];
}
