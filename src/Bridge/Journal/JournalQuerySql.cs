using System.Text;

namespace Appliance.Bridge.Journal;

/// <summary>The SQL of <see cref="IJournalReader.Query"/>: the newest matching rows, newest first, with fixed parameter numbers.</summary>
/// <remarks>With event names, each name gets its own arm that walks <c>events_by_event</c> backwards from the newest row
/// (vm is in that index, so a VM filter costs no table lookups) and stops at the limit; the arms are merged by seq.
/// A single <c>event IN (...)</c> would make SQLite read every row of those events to sort them. With a VM and no event
/// names, the query walks the VM's commit markers newest first (<see cref="JournalCommitMarkers"/>) and, for each, the
/// rows from the marker to the end of its range; SQLite reads that loop nest in (marker, seq) order, which is seq order,
/// so the limit stops it without a sort.</remarks>
internal static class JournalQuerySql
{
    internal const int AfterSeq = 1;
    internal const int Vm = 2;
    internal const int Since = 3;
    internal const int Until = 4;
    internal const int Limit = 5;
    internal const int SinceFloor = 6;
    internal const int UntilCeiling = 7;
    internal const int MarkerFloor = 8;
    internal const int FirstEvent = 9;

    /// <summary>True when the query walks the VM's commit markers, and so takes <see cref="MarkerFloor"/>.</summary>
    internal static bool WalksMarkers(bool vm, int eventCount) => vm && eventCount == 0;

    internal static string Build(bool vm, int eventCount, bool since, bool until)
    {
        string order = $"ORDER BY seq DESC LIMIT ?{Limit}";
        if (WalksMarkers(vm, eventCount))
        {
            string ceiling = until ? $" AND m.seq <= ?{UntilCeiling}" : "";
            string rangeEnd = "coalesce((SELECT r.seq FROM received_marks AS r WHERE r.seq >= m.seq ORDER BY r.seq LIMIT 1), 9223372036854775807)";
            return $"SELECT {JournalReadStore.Columns} FROM events WHERE seq IN (" +
                $"SELECT e.seq FROM events AS m INDEXED BY events_by_vm_commit, events AS e " +
                // The partial index's own WHERE (flags & 1024, migration 4), which SQLite needs to see to use it.
                $"WHERE m.vm = ?{Vm} AND m.flags & {JournalCommitMarkers.Flag} AND m.seq > ?{MarkerFloor}{ceiling} " +
                $"AND e.seq >= m.seq AND e.seq <= {rangeEnd} AND {Filter("e.", vm, since, until)} " +
                $"ORDER BY m.seq DESC, e.seq DESC LIMIT ?{Limit}) {order}";
        }
        string filter = Filter("", vm, since, until);
        if (eventCount == 0) return $"SELECT {JournalReadStore.Columns} FROM events WHERE {filter} {order}";

        var arms = Enumerable.Range(FirstEvent, eventCount).Select(p =>
            $"SELECT seq FROM (SELECT seq FROM events INDEXED BY events_by_event WHERE event = ?{p} AND {filter} {order})");
        return $"SELECT {JournalReadStore.Columns} FROM events WHERE seq IN ({string.Join(" UNION ALL ", arms)}) {order}";
    }

    private static string Filter(string table, bool vm, bool since, bool until)
    {
        var filter = new StringBuilder($"{table}seq > ?{AfterSeq}");
        // ?2 always appears (binding a parameter the SQL lacks fails), as a no-op when no VM is given.
        filter.Append(vm ? $" AND {table}vm = ?{Vm}" : $" AND ?{Vm} IS NULL");
        // The seq bounds come from received_marks (no index on received_us): they only narrow the range scanned.
        if (since) filter.Append($" AND {table}seq > ?{SinceFloor} AND {table}received_us >= ?{Since}");
        if (until) filter.Append($" AND {table}seq <= ?{UntilCeiling} AND {table}received_us < ?{Until}");
        return filter.ToString();
    }
}
