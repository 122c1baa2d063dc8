using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Journal;

/// <summary>The upgrade from a build with the critical log (schema 6 or older): at open, the critical events that
/// <c>journal.db-critical</c> holds and the table lost to a crash of that build are appended to the table, synced, and
/// the file is deleted. A file that is not this journal's, or that cannot be read or put back, is left untouched (the
/// writer names it in a warning at start). One-time code: it can go once no box runs a build older than schema 7.</summary>
/// <remarks>The old format (version 1): a 512-byte header (magic 0xC1484C41, CRC-32C of bytes 8..24, version, the
/// journal's id from its <c>journal_id</c> counter), then records each starting on a 512-byte boundary: magic 0xC1524C41,
/// CRC-32C of bytes 8..length, length, flags, number, received time in µs, VM name length (16 bits), line length, VM name,
/// line; little-endian. Records numbered above the <c>critical_log</c> counter are those the table does not hold.</remarks>
internal static class JournalOldCriticalLog
{
    private const int Sector = 512;
    private const int RecordHeader = 38;
    private const uint FileMagic = 0xC1_48_4C_41;
    private const uint RecordMagic = 0xC1_52_4C_41;

    /// <summary>Puts back what the old log beside <paramref name="journalPath"/> holds and the table lost; returns how
    /// many events (0 when there is no file, or it was left in place).</summary>
    internal static int Recover(JournalWriteStore store, string journalPath)
    {
        string path = journalPath + "-critical";
        if (!File.Exists(path)) return 0;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        long journalId = store.ExecuteScalar("SELECT value FROM counters WHERE name = 'journal_id'", ifNone: -1);
        if (HeaderJournalId(bytes) is not { } id || id != journalId) return 0;
        long counter = store.ExecuteScalar("SELECT value FROM counters WHERE name = 'critical_log'");

        var lost = new SortedDictionary<long, VmEvent>();
        for (int offset = Sector; offset + RecordHeader <= bytes.Length;)
        {
            if (TryDecode(bytes.AsSpan(offset), out long number, out var vmEvent, out int padded))
            {
                if (number > counter && vmEvent is not null) lost.TryAdd(number, vmEvent);
                offset += padded;
            }
            else
            {
                offset += Sector;
            }
        }
        if (lost.Count > 0)
        {
            try
            {
                store.Append([.. lost.Values]);
                store.ExecuteScalar($"UPDATE counters SET value = {lost.Keys.Max()} WHERE name = 'critical_log'");
            }
            catch (Exception e) when (e is Sqlite.SqliteException or IOException)
            {
                // Full disk or I/O error: the file stays for the next open (which may append some of them twice).
                return 0;
            }
        }
        // A crash before this line puts the same events back once more at the next open: a duplicate, never a loss.
        File.Delete(path);
        return lost.Count;
    }

    private static long? HeaderJournalId(ReadOnlySpan<byte> file)
    {
        if (file.Length < Sector || BinaryPrimitives.ReadUInt32LittleEndian(file) != FileMagic) return null;
        if (BinaryPrimitives.ReadUInt32LittleEndian(file[4..]) != Crc32C(file[8..24])) return null;
        if (BinaryPrimitives.ReadInt32LittleEndian(file[8..]) != 1) return null;
        return BinaryPrimitives.ReadInt64LittleEndian(file[16..]);
    }

    // False for an unused sector, the middle of a record, or one torn by a power cut; vmEvent null when its line does not parse.
    private static bool TryDecode(ReadOnlySpan<byte> source, out long number, out VmEvent? vmEvent, out int padded)
    {
        (number, vmEvent, padded) = (0, null, 0);
        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != RecordMagic) return false;
        int length = BinaryPrimitives.ReadInt32LittleEndian(source[8..]);
        if (length < RecordHeader || length > source.Length) return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) != Crc32C(source[8..length])) return false;
        int vmBytes = BinaryPrimitives.ReadUInt16LittleEndian(source[32..]);
        int lineBytes = BinaryPrimitives.ReadInt32LittleEndian(source[34..]);
        if (lineBytes < 0 || RecordHeader + vmBytes + lineBytes != length) return false;
        number = BinaryPrimitives.ReadInt64LittleEndian(source[16..]);
        padded = (length + Sector - 1) / Sector * Sector;
        try
        {
            if (QmpMessageParser.Parse(source.Slice(RecordHeader + vmBytes, lineBytes).ToArray()) is QmpEvent qmpEvent)
            {
                var received = DateTimeOffset.UnixEpoch.AddTicks(BinaryPrimitives.ReadInt64LittleEndian(source[24..]) * TimeSpan.TicksPerMicrosecond);
                vmEvent = new VmEvent(Encoding.UTF8.GetString(source.Slice(RecordHeader, vmBytes)), qmpEvent, received,
                    (VmEventFlags)BinaryPrimitives.ReadUInt32LittleEndian(source[12..]));
            }
        }
        catch (QmpProtocolException)
        {
            // Left out: a record whose line no longer parses was never expected.
        }
        return true;
    }

    /// <summary>CRC-32C as the old format checks it (tests write old files with it).</summary>
    internal static uint Crc32C(ReadOnlySpan<byte> bytes)
    {
        uint crc = ~0u;
        foreach (byte b in bytes) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
