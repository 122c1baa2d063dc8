using System.Text;

namespace Appliance.Bridge.Journal;

/// <summary>The SQL of <see cref="IJournalReader.Query"/>: the newest matching rows, newest first, with fixed parameter numbers.</summary>
/// <remarks>Filtered queries walk commit markers (<see cref="JournalCommitMarkers"/>) newest first and, for each, the rows
/// from the marker to the end of its range; SQLite reads that loop nest in (marker, seq) order, which is seq order, so
/// the limit stops it without a sort. With event names each name gets two arms, merged by seq (a single
/// <c>event IN (...)</c> would make SQLite read every entry of those events to sort them): its critical rows, each in
/// <c>events_by_critical</c>, and its ordinary rows through <c>events_by_event_commit</c>, where a VM filter skips, by
/// one probe of <c>events_by_vm_commit</c>, the ranges that hold no row of the VM, so a busy event of a quiet VM costs
/// index probes, not row reads. With a VM and no event names the query walks the VM's markers.</remarks>
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

    // The bounds of the range a marker m is in: after the previous received mark, up to its own (or every row after the
    // last mark, for rows written without marks).
    private const string RangeStart = "coalesce((SELECT r.seq FROM received_marks AS r WHERE r.seq < m.seq ORDER BY r.seq DESC LIMIT 1), 0)";
    private const string RangeEnd = "coalesce((SELECT r.seq FROM received_marks AS r WHERE r.seq >= m.seq ORDER BY r.seq LIMIT 1), 9223372036854775807)";

    /// <summary>True when the query walks commit markers, and so takes <see cref="MarkerFloor"/>.</summary>
    internal static bool WalksMarkers(bool vm, int eventCount) => vm || eventCount > 0;

    internal static string Build(bool vm, int eventCount, bool since, bool until)
    {
        string order = $"ORDER BY seq DESC LIMIT ?{Limit}";
        string filter = Filter("e.", vm, since, until);
        if (eventCount == 0)
        {
            if (!vm) return $"SELECT {EventJournal.Columns} FROM events AS e WHERE {filter} {order}";
            return $"SELECT {EventJournal.Columns} FROM events WHERE seq IN ({MarkerWalk("events_by_vm_commit", "vm", $"?{Vm}", "first_of_vm", "", filter, until)}) {order}";
        }
        string vmProbe = vm
            ? $" AND EXISTS (SELECT 1 FROM events AS v INDEXED BY events_by_vm_commit WHERE v.vm = ?{Vm} " +
              $"AND v.first_of_vm AND v.seq > {RangeStart} AND v.seq <= {RangeEnd})"
            : "";
        // Per name: its critical rows through their own index (vm is in the entry, so a VM filter needs no table lookup),
        // and its ordinary rows through the name's markers.
        var arms = Enumerable.Range(FirstEvent, eventCount).SelectMany(p => new[]
        {
            $"SELECT seq FROM (SELECT seq FROM events AS e INDEXED BY events_by_critical WHERE e.event = ?{p} AND e.critical AND {filter} {order})",
            $"SELECT seq FROM ({MarkerWalk("events_by_event_commit", "event", $"?{p}", "first_of_event", vmProbe, $"e.event = ?{p} AND NOT e.critical AND {filter}", until)})",
        });
        return $"SELECT {EventJournal.Columns} FROM events WHERE seq IN ({string.Join(" UNION ALL ", arms)}) {order}";
    }

    // The rows matching rowFilter in the ranges of the markers whose column equals key, newest first. The partial index's
    // own WHERE (the marker column) is repeated, since SQLite needs to see it to use the index.
    private static string MarkerWalk(string index, string column, string key, string marker, string rangeCondition, string rowFilter, bool until)
    {
        string ceiling = until ? $" AND m.seq <= ?{UntilCeiling}" : "";
        return $"SELECT e.seq FROM events AS m INDEXED BY {index}, events AS e " +
            $"WHERE m.{column} = {key} AND m.{marker} AND m.seq > ?{MarkerFloor}{ceiling}{rangeCondition} " +
            $"AND e.seq >= m.seq AND e.seq <= {RangeEnd} AND {rowFilter} " +
            $"ORDER BY m.seq DESC, e.seq DESC LIMIT ?{Limit}";
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
