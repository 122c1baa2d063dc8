namespace Appliance.Bridge.Journal;

/// <summary>Per-commit markers: column <c>first_of_vm</c> on the first row of each VM and <c>first_of_event</c> on the
/// first ordinary (not critical) row of each event name in each commit's range of seq, which runs from after the previous
/// received mark up to and including its own (see <see cref="JournalReceivedMarks"/>). The partial indexes
/// <c>events_by_vm_commit</c> and <c>events_by_event_commit</c> hold the marked rows only; critical rows, rare and the
/// ones most asked for, have an entry each in <c>events_by_critical</c> instead.</summary>
/// <remarks>An index entry per row cost most of the bytes written per event at small batches: a commit appends to the
/// right edge of each key's region, and every split of an index leaf rewrites its siblings. With markers a commit of
/// 100 rows of one VM and one event name adds one entry to each. "The newest rows of VM x" (or of event E) walks the
/// markers of x newest first and, for each, the rows from the marker to the end of its range
/// (<see cref="JournalQuerySql"/>), so a VM or an event silent for millions of rows is still found at once.</remarks>
internal static class JournalCommitMarkers
{
    /// <summary>Retention deletes the oldest rows, which may be the start of a range, markers included: marks the first
    /// remaining row of each VM and the first remaining ordinary row of each event name in the first remaining range
    /// (run after <see cref="JournalReceivedMarks.PruneSql"/>).</summary>
    internal static readonly string RestoreAfterPruneSql = $"""
        {RestoreFirstRangeSql("first_of_vm", "vm", "")};
        {RestoreFirstRangeSql("first_of_event", "event", " AND NOT critical")}
        """;

    private static string RestoreFirstRangeSql(string marker, string column, string rowCondition) => $"""
        UPDATE events SET {marker} = 1 WHERE NOT {marker} AND seq IN (
            SELECT min(seq) FROM events
            WHERE seq <= (SELECT coalesce(min(seq), 9223372036854775807) FROM received_marks){rowCondition}
            GROUP BY {column})
        """;
}
