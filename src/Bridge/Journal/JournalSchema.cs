using Appliance.Bridge.Sqlite;

namespace Appliance.Bridge.Journal;

/// <summary>The journal's tables, versioned by <c>PRAGMA user_version</c>: each migration moves one version forward, in one transaction.</summary>
internal static class JournalSchema
{
    internal const string PrunedCounter = "pruned";

    // Index i upgrades version i to version i + 1. Append new migrations; never edit a shipped one.
    // Indexes: each commit rewrites one leaf page per distinct key prefix it touches, so the indexes are keyed by event
    // and by VM separately, one entry per commit and key (JournalCommitMarkers); only critical rows have one each.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE events(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            vm TEXT NOT NULL,
            event TEXT NOT NULL,
            timestamp_us INTEGER NOT NULL,
            received_us INTEGER NOT NULL,
            flags INTEGER NOT NULL,
            raw BLOB NOT NULL);
        CREATE INDEX events_by_event ON events(event, seq, vm);
        CREATE INDEX events_by_vm ON events(vm);
        CREATE INDEX events_by_received ON events(received_us);
        CREATE TABLE cursors(sink TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO counters(name, value) VALUES ('pruned', 0);
        """,
        // Version 2: events_by_received cost about a fifth of the bytes written per event (an index appended to at its
        // right edge rewrites several pages per split) and CPU per insert. Time filters and retention by age now bound
        // their scan of events with received_marks instead: one small row per commit, appended to a rowid table.
        // Existing rows get one mark per 512 rows; high_us is a running maximum, so it never decreases.
        """
        DROP INDEX events_by_received;
        CREATE TABLE received_marks(seq INTEGER PRIMARY KEY, low_us INTEGER NOT NULL, high_us INTEGER NOT NULL);
        INSERT INTO received_marks(seq, low_us, high_us)
            SELECT max(seq), min(received_us), max(max(received_us)) OVER (ORDER BY max(seq) ROWS UNBOUNDED PRECEDING)
            FROM events GROUP BY seq / 512;
        """,
        // Version 3 created the view events_json, which version 7 replaces: journals at versions 3 to 6 have it, and
        // for a journal older than that there is no point in creating it first. Same for version 5 (the counters of the
        // critical log, which version 7 removes with it).
        "-- events_json: see version 7",
        // Version 4: events_by_vm (one entry per row) becomes events_by_vm_commit (one per commit and VM): flag 0x400 on
        // the first row of each VM in each range of received_marks; see JournalCommitMarkers. Existing rows are flagged
        // by the ranges of their marks (rows after the last mark form one more range).
        """
        DROP INDEX events_by_vm;
        UPDATE events SET flags = flags | 1024 WHERE seq IN (
            SELECT min(e.seq) FROM events AS e
            GROUP BY e.vm, (SELECT r.seq FROM received_marks AS r WHERE r.seq >= e.seq ORDER BY r.seq LIMIT 1));
        CREATE INDEX events_by_vm_commit ON events(vm) WHERE flags & 1024;
        """,
        "-- the critical log's counters: see version 7",
        // Version 6: events_by_event (one entry per row, 4.5 of the 13.5 pages a commit of 100 rows wrote) is split in
        // two: events_by_event_commit, one entry per commit and event name for ordinary rows (flag 0x800 on the first
        // ordinary row of each event name in each range of received_marks, as version 4 did for VMs), and
        // events_by_critical, one entry per critical row (flag 1), which are rare; see JournalCommitMarkers.
        """
        DROP INDEX events_by_event;
        UPDATE events SET flags = flags | 2048 WHERE seq IN (
            SELECT min(e.seq) FROM events AS e WHERE NOT e.flags & 1
            GROUP BY e.event, (SELECT r.seq FROM received_marks AS r WHERE r.seq >= e.seq ORDER BY r.seq LIMIT 1));
        CREATE INDEX events_by_event_commit ON events(event) WHERE flags & 2048;
        CREATE INDEX events_by_critical ON events(event, seq, vm) WHERE flags & 1;
        """,
        // Version 7: one meaning per column. flags becomes layout (0x100 QEMU's spacing, 0x200 compact, 0 whole line; see
        // JournalRawForm: the values stay, so most rows need no rewrite); critical, gap and the two commit markers get
        // columns of their own. Only the rows that carried one of those bits are rewritten (a few in a hundred). The
        // view gives every row's line as received, so the sqlite3 command line needs no knowledge of the storage form.
        // The counters 'critical_log' and 'journal_id' stay: they tell which records of an old journal.db-critical the
        // table already holds (see docs/journal.md, Upgrading).
        """
        DROP VIEW IF EXISTS events_json;
        DROP INDEX events_by_critical;
        DROP INDEX events_by_vm_commit;
        DROP INDEX events_by_event_commit;
        ALTER TABLE events RENAME COLUMN flags TO layout;
        ALTER TABLE events ADD COLUMN critical INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN gap INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN first_of_vm INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN first_of_event INTEGER NOT NULL DEFAULT 0;
        UPDATE events SET critical = layout & 1, gap = (layout & 2) >> 1, first_of_vm = (layout & 1024) >> 10,
            first_of_event = (layout & 2048) >> 11, layout = layout & 768
        WHERE layout & 3075;
        CREATE INDEX events_by_critical ON events(event, seq, vm) WHERE critical;
        CREATE INDEX events_by_vm_commit ON events(vm) WHERE first_of_vm;
        CREATE INDEX events_by_event_commit ON events(event) WHERE first_of_event;
        CREATE VIEW events_json AS
        SELECT seq, vm, event, timestamp_us, received_us, critical, gap,
            CASE layout
                WHEN 256 THEN '{"timestamp": {"seconds": ' || (timestamp_us / 1000000) || ', "microseconds": '
                    || (timestamp_us % 1000000) || '}, "event": "' || event || '"'
                    || CASE WHEN length(raw) > 0 THEN ', "data": ' || CAST(raw AS TEXT) ELSE '' END || '}'
                WHEN 512 THEN '{"timestamp":{"seconds":' || (timestamp_us / 1000000) || ',"microseconds":'
                    || (timestamp_us % 1000000) || '},"event":"' || event || '"'
                    || CASE WHEN length(raw) > 0 THEN ',"data":' || CAST(raw AS TEXT) ELSE '' END || '}'
                ELSE CAST(raw AS TEXT)
            END AS line
        FROM events;
        """,
    ];

    internal static int CurrentVersion => Migrations.Length;

    /// <summary>Brings the database to <paramref name="targetVersion"/> (tests build older versions with it).</summary>
    internal static void Migrate(SqliteConnection connection, int targetVersion = -1)
    {
        int target = targetVersion < 0 ? Migrations.Length : targetVersion;
        int version = ReadVersion(connection);
        for (; version < target; version++)
        {
            connection.Execute("BEGIN IMMEDIATE");
            try
            {
                // Re-read under the write lock: another process may have migrated meanwhile.
                if (ReadVersion(connection) == version)
                {
                    connection.Execute(Migrations[version]);
                    connection.Execute($"PRAGMA user_version = {version + 1}");
                }
                connection.Execute("COMMIT");
            }
            catch
            {
                connection.Execute("ROLLBACK");
                throw;
            }
        }
    }

    /// <summary>Throws unless the database has exactly the schema this build knows.</summary>
    internal static void Verify(SqliteConnection connection)
    {
        int version = ReadVersion(connection);
        if (version != CurrentVersion)
        {
            throw new InvalidOperationException(
                $"Journal '{connection.Path}' has schema version {version}; this build reads version {CurrentVersion}" +
                (version < CurrentVersion ? " (start the appliance once to migrate it)." : " (it was written by a newer build)."));
        }
    }

    private static int ReadVersion(SqliteConnection connection)
    {
        int version = (int)connection.ExecuteScalar("PRAGMA user_version");
        if (version > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"Journal '{connection.Path}' has schema version {version}, newer than this build supports ({Migrations.Length}).");
        }
        return version;
    }
}
