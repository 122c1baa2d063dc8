namespace Appliance.Bridge.Journal;

/// <summary>Per-commit markers: flag <see cref="VmFlag"/> on the first row of each VM (schema version 4) and
/// <see cref="EventFlag"/> on the first ordinary (not critical) row of each event name (version 6) in each commit's range
/// of seq, which runs from after the previous received mark up to and including its own (see
/// <see cref="JournalReceivedMarks"/>). The partial indexes <c>events_by_vm_commit</c> and <c>events_by_event_commit</c>
/// hold the flagged rows only; critical rows, rare and the ones most asked for, have an entry each in
/// <c>events_by_critical</c> instead.</summary>
/// <remarks>An index entry per row (<c>events_by_vm</c> until version 3, <c>events_by_event</c> until version 5) cost
/// most of the bytes written per event at small batches: a commit appends to the right edge of each key's region, and
/// every split of an index leaf rewrites its siblings (4.5 pages of 4 KiB per commit of 100 rows for 2 KiB of entries).
/// With markers a commit of 100 rows of one VM and one event name adds one entry to each. "The newest rows of VM x"
/// (or of event E) walks the markers of x newest first and, for each, the rows from the marker to the end of its range
/// (<see cref="JournalQuerySql"/>), so a VM or an event silent for millions of rows is still found at once.</remarks>
internal static class JournalCommitMarkers
{
    /// <summary>The row is the first of its VM in its commit's range.</summary>
    internal const long VmFlag = 0x400;

    /// <summary>The row is the first ordinary row of its event name in its commit's range.</summary>
    internal const long EventFlag = 0x800;

    /// <summary>The flag bits that mark rows for the indexes, not the event.</summary>
    internal const long Bits = VmFlag | EventFlag;

    /// <summary>The row flag of critical events (<see cref="Pipeline.VmEventFlags.Critical"/>), which takes no event marker.</summary>
    internal const long CriticalFlag = (long)Pipeline.VmEventFlags.Critical;

    /// <summary>Retention deletes the oldest rows, which may be the start of a range, markers included: flags the first
    /// remaining row of each VM and the first remaining ordinary row of each event name in the first remaining range
    /// (run after <see cref="JournalReceivedMarks.PruneSql"/>).</summary>
    internal static readonly string RestoreAfterPruneSql = $"""
        {RestoreFirstRangeSql(VmFlag, "vm", "")};
        {RestoreFirstRangeSql(EventFlag, "event", $" AND NOT flags & {CriticalFlag}")}
        """;

    private static string RestoreFirstRangeSql(long flag, string column, string rowCondition) => $"""
        UPDATE events SET flags = flags | {flag} WHERE NOT flags & {flag} AND seq IN (
            SELECT min(seq) FROM events
            WHERE seq <= (SELECT coalesce(min(seq), 9223372036854775807) FROM received_marks){rowCondition}
            GROUP BY {column})
        """;
}
