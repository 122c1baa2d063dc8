using System.Buffers.Binary;
using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Sqlite;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalCriticalFileTests
{
    private const string Watchdog = """{"timestamp": {"seconds": 1, "microseconds": 0}, "event": "WATCHDOG", "data": {"action": "reset"}}""";
    private const string Reset = """{"timestamp": {"seconds": 2, "microseconds": 0}, "event": "RESET", "data": {"guest": true}}""";

    [Fact]
    public void Critical_events_only_in_an_old_critical_log_are_put_back_at_open_and_the_file_deleted()
    {
        using var dir = new TempDirectory();
        string path = dir.File("journal.db");
        // The old build committed record 1 and crashed after writing record 2 to its log.
        CreateVersion6(path, journalId: 42, criticalLog: 1, "('db', 'WATCHDOG', 1000000, 0, 1, CAST('" + Watchdog + "' AS BLOB))");
        WriteOldLog(path + "-critical", journalId: 42, (1, "db", Watchdog), (2, "db", Reset));

        using (var journal = EventJournal.Open(new JournalOptions { Path = path }))
        {
            var rows = journal.ReadAfter(0, 10);
            Assert.Equal(["WATCHDOG", "RESET"], rows.Select(r => r.Event));
            Assert.Equal(VmEventFlags.Critical, rows[1].Flags);
            Assert.Equal("db", rows[1].Vm);
            Assert.Equal(Reset, Encoding.UTF8.GetString(rows[1].RawJson));
            Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(2), rows[1].Received);
        }
        Assert.False(File.Exists(path + "-critical"));
        using var check = SqliteConnection.Open(path, readOnly: true);
        Assert.Equal(2, check.ExecuteScalar("SELECT value FROM counters WHERE name = 'critical_log'"));
    }

    [Fact]
    public void An_old_critical_log_of_another_journal_is_left_untouched()
    {
        using var dir = new TempDirectory();
        string path = dir.File("journal.db");
        CreateVersion6(path, journalId: 42, criticalLog: 0, rows: null);
        WriteOldLog(path + "-critical", journalId: 7, (1, "db", Reset));
        byte[] before = File.ReadAllBytes(path + "-critical");

        using (var journal = EventJournal.Open(new JournalOptions { Path = path }))
        {
            Assert.Empty(journal.ReadAfter(0, 10));
        }
        Assert.Equal(before, File.ReadAllBytes(path + "-critical"));
    }

    // A journal as the schema 6 build left it: its critical-log counters and the rows given (flags 1 = critical).
    private static void CreateVersion6(string path, long journalId, long criticalLog, string? rows)
    {
        using var connection = SqliteConnection.Open(path);
        connection.Execute("PRAGMA journal_mode = WAL");
        JournalSchema.Migrate(connection, targetVersion: 6);
        connection.Execute($"INSERT OR REPLACE INTO counters(name, value) VALUES ('journal_id', {journalId}), ('critical_log', {criticalLog})");
        if (rows is not null) connection.Execute("INSERT INTO events(vm, event, timestamp_us, received_us, flags, raw) VALUES " + rows);
    }

    // journal.db-critical as the schema 6 build wrote it (format 1; see JournalOldCriticalLog), every event critical and
    // received at its QMP timestamp.
    private static void WriteOldLog(string path, long journalId, params (long Number, string Vm, string Line)[] records)
    {
        var file = new List<byte>();
        var header = new byte[512];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xC1_48_4C_41);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), 1);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), journalId);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), JournalCriticalFile.Crc32C(header.AsSpan(8, 16)));
        file.AddRange(header);
        foreach (var (number, vm, line) in records)
        {
            byte[] vmBytes = Encoding.UTF8.GetBytes(vm), lineBytes = Encoding.UTF8.GetBytes(line);
            int length = 38 + vmBytes.Length + lineBytes.Length;
            var record = new byte[(length + 511) / 512 * 512];
            BinaryPrimitives.WriteUInt32LittleEndian(record, 0xC1_52_4C_41);
            BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(8), length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)VmEventFlags.Critical);
            BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(16), number);
            BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(24), number * 1_000_000);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(32), (ushort)vmBytes.Length);
            BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(34), lineBytes.Length);
            vmBytes.CopyTo(record, 38);
            lineBytes.CopyTo(record, 38 + vmBytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), JournalCriticalFile.Crc32C(record.AsSpan(8, length - 8)));
            file.AddRange(record);
        }
        File.WriteAllBytes(path, [.. file]);
    }
}
