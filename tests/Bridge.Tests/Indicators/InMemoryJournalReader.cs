using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>A small in-memory <see cref="IJournalReader"/> for the restart replay: Query filters by VM and names
/// and returns the newest rows, oldest first, as the SQLite journal does.</summary>
internal sealed class InMemoryJournalReader : IJournalReader
{
    private readonly List<JournalEntry> _rows = [];

    public List<JournalQuery> Queries { get; } = [];

    public void Add(string vm, string eventName, VmEventFlags flags = VmEventFlags.None)
    {
        var raw = Encoding.UTF8.GetBytes($$$"""{"event": "{{{eventName}}}", "data": {}}""");
        _rows.Add(new JournalEntry(_rows.Count + 1, vm, eventName, default, DateTimeOffset.UnixEpoch, raw, flags));
    }

    public long LastCommittedSeq => _rows.Count;

    public long PrunedCount => 0;

    public IReadOnlyList<JournalEntry> Query(JournalQuery query)
    {
        Queries.Add(query);
        var matching = _rows.Where(r => (query.Vm is null || r.Vm == query.Vm)
            && (query.Events is not { Count: > 0 } names || names.Contains(r.Event))
            && r.Seq > query.AfterSeq).ToList();
        return matching.Skip(Math.Max(0, matching.Count - query.Limit)).ToList();
    }

    public IReadOnlyList<JournalEntry> ReadAfter(long afterSeq, int max) => _rows.Where(r => r.Seq > afterSeq).Take(max).ToList();

    public ValueTask WaitForCommitAsync(long afterSeq, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public long GetCursor(string sink) => 0;

    public void SetCursor(string sink, long seq)
    {
    }
}
