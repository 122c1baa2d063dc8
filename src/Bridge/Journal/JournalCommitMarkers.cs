namespace Appliance.Bridge.Journal;

/// <summary>Per-commit VM markers (schema version 4): flag <see cref="Flag"/> on the first row of each VM in each commit's
/// range of seq, which runs from after the previous received mark up to and including its own (see
/// <see cref="JournalReceivedMarks"/>). The partial index <c>events_by_vm_commit</c> holds the flagged rows only.</summary>
/// <remarks>An index entry per row for the VM filter (<c>events_by_vm</c> until version 3) was about a fifth of the bytes
/// written per event: a commit appends to the right edge of each VM's region, and every split of an index leaf rewrites
/// its siblings. With markers a commit of 100 rows of one VM adds one entry. "The newest rows of VM x" walks the markers
/// of x newest first and, for each, the rows of x from the marker to the end of its range (<see cref="JournalQuerySql"/>),
/// so a VM silent for millions of rows is still found at once.</remarks>
internal static class JournalCommitMarkers
{
    /// <summary>The row is the first of its VM in its commit's range.</summary>
    internal const long Flag = 0x400;

    /// <summary>Retention deletes the oldest rows, which may be the start of a range, markers included: flags the first
    /// remaining row of each VM in the first remaining range (run after <see cref="JournalReceivedMarks.PruneSql"/>).</summary>
    internal static readonly string RestoreAfterPruneSql = $"""
        UPDATE events SET flags = flags | {Flag} WHERE NOT flags & {Flag} AND seq IN (
            SELECT min(seq) FROM events
            WHERE seq <= (SELECT coalesce(min(seq), 9223372036854775807) FROM received_marks)
            GROUP BY vm)
        """;
}
