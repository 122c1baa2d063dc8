using System.Text;
using Appliance.Bridge.Journal.Sqlite;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Journal;

/// <summary>The journal's read connection (WAL lets it read while the writer commits), also used for cursor updates.
/// One lock serializes its callers, so it is safe from any thread.</summary>
internal sealed class JournalReadStore : IDisposable
{
    private const string Columns = "seq, vm, event, timestamp_us, received_us, flags, raw";

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
        var sql = new StringBuilder($"SELECT {Columns} FROM events WHERE seq > ?1");
        int parameter = 2;
        if (query.Vm is not null) sql.Append($" AND vm = ?{parameter++}");
        var events = query.Events ?? [];
        if (events.Count > 0)
        {
            sql.Append(events.Count == 1 ? $" AND event = ?{parameter++}" : " AND event IN (");
            for (int i = 0; events.Count > 1 && i < events.Count; i++) sql.Append(i == 0 ? "" : ", ").Append($"?{parameter++}");
            if (events.Count > 1) sql.Append(')');
        }
        if (query.Since is not null) sql.Append($" AND received_us >= ?{parameter++}");
        if (query.Until is not null) sql.Append($" AND received_us < ?{parameter++}");
        sql.Append($" ORDER BY seq DESC LIMIT ?{parameter}");

        lock (_gate)
        {
            using var statement = _connection.Prepare(sql.ToString());
            int index = 1;
            statement.Bind(index++, query.AfterSeq);
            if (query.Vm is not null) statement.Bind(index++, query.Vm);
            foreach (string name in events) statement.Bind(index++, name);
            if (query.Since is { } since) statement.Bind(index++, JournalWriteStore.ToMicroseconds(since));
            if (query.Until is { } until) statement.Bind(index++, JournalWriteStore.ToMicroseconds(until));
            statement.Bind(index, query.Limit);
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
            rows.Add(new JournalEntry(
                Seq: statement.GetInt64(0),
                Vm: statement.GetString(1),
                Event: statement.GetString(2),
                Timestamp: new QmpTimestamp(timestampUs / 1_000_000, timestampUs % 1_000_000),
                Received: DateTimeOffset.UnixEpoch.AddTicks(statement.GetInt64(4) * TimeSpan.TicksPerMicrosecond),
                RawJson: statement.GetBlob(6),
                Flags: (VmEventFlags)statement.GetInt64(5)));
        }
        return rows;
    }
}
