using Appliance.Bridge.Sqlite;

namespace Appliance.Bridge.Journal;

/// <summary>The <c>received_marks</c> table (schema version 2): one row per commit, keyed by the commit's last seq, with
/// the commit's earliest received time (<c>low_us</c>) and the latest received time of every row up to it (<c>high_us</c>,
/// a running maximum). It bounds the rows a time filter must look at without an index on <c>received_us</c>.</summary>
/// <remarks>Received times are nearly, not strictly, in seq order (monitors stamp them on their own threads; clocks
/// step), so the bounds are derived to stay exact: rows up to a mark whose <c>high_us</c> is below T were all received
/// before T; rows in commits after the last mark whose <c>low_us</c> is below T were all received at or after T. Rows
/// after the newest mark (written by something other than the journal writer) turn the second bound off.</remarks>
internal static class JournalReceivedMarks
{
    internal const string InsertSql = "INSERT INTO received_marks(seq, low_us, high_us) VALUES (?1, ?2, ?3)";

    /// <summary>Deletes the marks of commits whose rows have all been pruned.</summary>
    internal const string PruneSql =
        "DELETE FROM received_marks WHERE seq < (SELECT coalesce(min(seq), 9223372036854775807) FROM events)";

    /// <summary>The latest received time of any row, for the writer's running maximum: the newest mark, and the rows after it.</summary>
    internal static long HighWater(SqliteConnection connection) =>
        Math.Max(connection.ExecuteScalar("SELECT max(high_us) FROM received_marks"),
            connection.ExecuteScalar("SELECT max(received_us) FROM events WHERE seq > (SELECT coalesce(max(seq), 0) FROM received_marks)"));

    /// <summary>A seq such that every row up to it was received before <paramref name="timeUs"/> (0 when none is known).</summary>
    internal static long AllReceivedBefore(SqliteConnection connection, long timeUs) =>
        Scalar(connection, "SELECT seq FROM received_marks WHERE high_us < ?1 ORDER BY seq DESC LIMIT 1", timeUs);

    /// <summary>A seq such that every row received before <paramref name="timeUs"/> has a seq at most this;
    /// <see cref="long.MaxValue"/> when rows without marks exist (they could be anything).</summary>
    /// <remarks>One range, not "up to the bound or after the last mark": SQLite would serve an OR of two ranges by
    /// collecting and sorting both.</remarks>
    internal static long AllReceivedBeforeAtMost(SqliteConnection connection, long timeUs)
    {
        long lastMarked = connection.ExecuteScalar("SELECT max(seq) FROM received_marks");
        if (connection.ExecuteScalar("SELECT max(seq) FROM events") > lastMarked) return long.MaxValue;
        return Scalar(connection, "SELECT seq FROM received_marks WHERE low_us < ?1 ORDER BY seq DESC LIMIT 1", timeUs);
    }

    /// <summary>The newest mark at or before <paramref name="seq"/>: rows after <paramref name="seq"/> are all in ranges
    /// after it (0 when there is none).</summary>
    internal static long LastAtOrBefore(SqliteConnection connection, long seq) =>
        Scalar(connection, "SELECT seq FROM received_marks WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1", seq);

    // Marks are scanned newest first and the scan stops at the first hit: cheap for recent times, at most one row per
    // commit still in the journal otherwise.
    private static long Scalar(SqliteConnection connection, string sql, long value)
    {
        using var statement = connection.Prepare(sql);
        statement.Bind(1, value);
        return statement.Step() && !statement.IsNull(0) ? statement.GetInt64(0) : 0;
    }
}
