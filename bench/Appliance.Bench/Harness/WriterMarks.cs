namespace Appliance.Bench.Harness;

/// <summary>What the journal writer adds to every commit besides its rows, for journals filled in bulk: a received mark per
/// commit and markers on the first row of each VM (first_of_vm) and the first ordinary (not critical) row of each event
/// name (first_of_event) in it (JournalCommitMarkers).</summary>
public static class WriterMarks
{
    /// <summary>The rows a bulk-filled journal pretends each commit held.</summary>
    public const int RowsPerCommit = 512;

    /// <summary>Adds the marks and markers to the rows after the last mark, as if they had been committed
    /// <see cref="RowsPerCommit"/> at a time (received times rising with seq, as the fillers write them).</summary>
    public static readonly string Sql = $"""
        UPDATE events SET first_of_vm = 1 WHERE seq IN (
            SELECT min(seq) FROM events WHERE seq > (SELECT coalesce(max(seq), 0) FROM received_marks)
            GROUP BY vm, (seq - 1) / {RowsPerCommit});
        UPDATE events SET first_of_event = 1 WHERE seq IN (
            SELECT min(seq) FROM events WHERE seq > (SELECT coalesce(max(seq), 0) FROM received_marks) AND NOT critical
            GROUP BY event, (seq - 1) / {RowsPerCommit});
        INSERT INTO received_marks(seq, low_us, high_us)
            SELECT max(seq), min(received_us), max(received_us) FROM events
            WHERE seq > (SELECT coalesce(max(seq), 0) FROM received_marks) GROUP BY (seq - 1) / {RowsPerCommit};
        """;
}
