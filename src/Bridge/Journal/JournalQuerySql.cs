using System.Text;

namespace Appliance.Bridge.Journal;

/// <summary>The SQL of <see cref="IJournalReader.Query"/>: the newest matching rows, newest first, with fixed parameter numbers.</summary>
/// <remarks>With event names, each name gets its own arm that walks <c>events_by_event</c> backwards from the newest row
/// (vm is in that index, so a VM filter costs no table lookups) and stops at the limit; the arms are merged by seq.
/// A single <c>event IN (...)</c> would make SQLite read every row of those events to sort them.</remarks>
internal static class JournalQuerySql
{
    internal const int AfterSeq = 1;
    internal const int Vm = 2;
    internal const int Since = 3;
    internal const int Until = 4;
    internal const int Limit = 5;
    internal const int SinceFloor = 6;
    internal const int UntilCeiling = 7;
    internal const int FirstEvent = 8;

    internal static string Build(bool vm, int eventCount, bool since, bool until)
    {
        var filter = new StringBuilder($"seq > ?{AfterSeq}");
        // ?2 always appears (binding a parameter the SQL lacks fails), as a no-op when no VM is given.
        filter.Append(vm ? $" AND vm = ?{Vm}" : $" AND ?{Vm} IS NULL");
        // The seq bounds come from received_marks (no index on received_us): they only narrow the range scanned.
        if (since) filter.Append($" AND seq > ?{SinceFloor} AND received_us >= ?{Since}");
        if (until) filter.Append($" AND seq <= ?{UntilCeiling} AND received_us < ?{Until}");
        string order = $"ORDER BY seq DESC LIMIT ?{Limit}";
        if (eventCount == 0) return $"SELECT {JournalReadStore.Columns} FROM events WHERE {filter} {order}";

        var arms = Enumerable.Range(FirstEvent, eventCount).Select(p =>
            $"SELECT seq FROM (SELECT seq FROM events INDEXED BY events_by_event WHERE event = ?{p} AND {filter} {order})");
        return $"SELECT {JournalReadStore.Columns} FROM events WHERE seq IN ({string.Join(" UNION ALL ", arms)}) {order}";
    }
}
