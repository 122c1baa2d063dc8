using Appliance.Bridge.Journal.Sqlite;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Journal;

/// <summary>The journal's read connection (WAL lets it read while the writer commits), also used for cursor updates
/// and the size figures, so status and queries never wait for the writer. One lock of its own serializes its callers.</summary>
internal sealed class JournalReadStore : IDisposable
{
    internal const string Columns = "seq, vm, event, timestamp_us, received_us, layout, raw, critical, gap";

    private readonly object _gate = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteStatement _readAfter;

    internal JournalReadStore(string path, bool readOnly)
    {
        _connection = SqliteConnection.Open(path, readOnly, create: false);
        try
        {
            _connection.SetBusyTimeout(TimeSpan.FromSeconds(5));
            JournalSchema.Verify(_connection);
            _readAfter = _connection.Prepare($"SELECT {Columns} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    internal IReadOnlyList<JournalEntry> ReadAfter(long afterSeq, int max)
    {
        lock (_gate)
        {
            _readAfter.Bind(1, afterSeq);
            _readAfter.Bind(2, max);
            try
            {
                return ReadRows(_readAfter, max);
            }
            finally
            {
                _readAfter.Reset();
            }
        }
    }

    internal IReadOnlyList<JournalEntry> Query(JournalQuery query)
    {
        var events = query.Events ?? [];
        string sql = JournalQuerySql.Build(query.Vm is not null, events.Count, query.Since is not null, query.Until is not null);
        lock (_gate)
        {
            using var statement = _connection.Prepare(sql);
            statement.Bind(JournalQuerySql.AfterSeq, query.AfterSeq);
            statement.Bind(JournalQuerySql.Vm, query.Vm);
            long floor = query.AfterSeq;
            if (query.Since is { } since)
            {
                long sinceUs = JournalWriteStore.ToMicroseconds(since);
                long sinceFloor = JournalReceivedMarks.AllReceivedBefore(_connection, sinceUs);
                statement.Bind(JournalQuerySql.Since, sinceUs);
                statement.Bind(JournalQuerySql.SinceFloor, sinceFloor);
                floor = Math.Max(floor, sinceFloor);
            }
            // The rows wanted all have seq > floor; their markers are in the same ranges, so after the last mark <= floor.
            if (JournalQuerySql.WalksMarkers(query.Vm is not null, events.Count))
            {
                statement.Bind(JournalQuerySql.MarkerFloor, JournalReceivedMarks.LastAtOrBefore(_connection, floor));
            }
            if (query.Until is { } until)
            {
                long untilUs = JournalWriteStore.ToMicroseconds(until);
                statement.Bind(JournalQuerySql.Until, untilUs);
                statement.Bind(JournalQuerySql.UntilCeiling, JournalReceivedMarks.AllReceivedBeforeAtMost(_connection, untilUs));
            }
            statement.Bind(JournalQuerySql.Limit, query.Limit);
            for (int i = 0; i < events.Count; i++) statement.Bind(JournalQuerySql.FirstEvent + i, events[i]);
            var rows = ReadRows(statement, query.Limit);
            rows.Reverse();
            return rows;
        }
    }

    internal long GetCursor(string sink)
    {
        lock (_gate)
        {
            using var statement = _connection.Prepare("SELECT seq FROM cursors WHERE sink = ?1");
            statement.Bind(1, sink);
            return statement.Step() ? statement.GetInt64(0) : 0;
        }
    }

    internal void SetCursor(string sink, long seq)
    {
        lock (_gate)
        {
            using var statement = _connection.Prepare(
                "INSERT INTO cursors(sink, seq) VALUES (?1, ?2) ON CONFLICT(sink) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > cursors.seq");
            statement.Bind(1, sink);
            statement.Bind(2, seq);
            statement.Execute();
        }
    }

    internal long PrunedCount()
    {
        lock (_gate) return _connection.ExecuteScalar($"SELECT value FROM counters WHERE name = '{JournalSchema.PrunedCounter}'");
    }

    internal long LastSeq()
    {
        lock (_gate) return _connection.ExecuteScalar("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    }

    internal long UsedBytes()
    {
        lock (_gate) return UsedBytes(_connection);
    }

    /// <summary>Bytes of the pages in use (the file minus its free list), as of the connection's last snapshot.</summary>
    internal static long UsedBytes(SqliteConnection connection) =>
        (connection.ExecuteScalar("PRAGMA page_count") - connection.ExecuteScalar("PRAGMA freelist_count")) * connection.ExecuteScalar("PRAGMA page_size");

    public void Dispose()
    {
        lock (_gate)
        {
            _readAfter.Dispose();
            _connection.Dispose();
        }
    }

    private static List<JournalEntry> ReadRows(SqliteStatement statement, int max)
    {
        var rows = new List<JournalEntry>(Math.Min(max, 1024));
        while (rows.Count < max && statement.Step())
        {
            long timestampUs = statement.GetInt64(3);
            string eventName = statement.GetString(2);
            rows.Add(new JournalEntry(
                Seq: statement.GetInt64(0),
                Vm: statement.GetString(1),
                Event: eventName,
                Timestamp: new QmpTimestamp(timestampUs / 1_000_000, timestampUs % 1_000_000),
                Received: DateTimeOffset.UnixEpoch.AddTicks(statement.GetInt64(4) * TimeSpan.TicksPerMicrosecond),
                RawJson: JournalRawForm.Restore(statement.GetInt64(5), eventName, timestampUs, statement.GetBlob(6)),
                Flags: (statement.GetInt64(7) != 0 ? VmEventFlags.Critical : 0) | (statement.GetInt64(8) != 0 ? VmEventFlags.Gap : 0)));
        }
        return rows;
    }
}
