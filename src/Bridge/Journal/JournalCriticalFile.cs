using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Bridge.Journal;

/// <summary>The format of <c>journal.db-critical</c>, the file <see cref="JournalCriticalLane"/> makes critical events
/// durable in before their commit, and its recovery: at open, the critical events the file holds and the table lacks
/// (a power cut took their commit) are appended to the table, and the file is deleted.</summary>
/// <remarks>Little-endian. A 512-byte header sector: magic 0xC1484C41, CRC-32C of bytes 8..24, format version, 0, the
/// journal's id. Then records, each starting on a 512-byte boundary: magic 0xC1524C41, CRC-32C of bytes 8..length,
/// length, flags, number, received time in µs, VM name length (16 bits), line length, VM name, line.
/// Format 2 (this build) numbers nothing: a record is lost when the table has no critical row of the same VM, event and
/// received time. Format 1 (builds up to schema 6) numbered records; those above the table's <c>critical_log</c> counter
/// are lost, and the header's id must match the <c>journal_id</c> counter.</remarks>
internal static class JournalCriticalFile
{
    internal const string Suffix = "-critical";
    internal const int Sector = 512;
    private const int RecordHeader = 38;
    private const int Version = 2;
    private const uint FileMagic = 0xC1_48_4C_41;
    private const uint RecordMagic = 0xC1_52_4C_41;

    /// <summary>Puts back what the file beside <paramref name="journalPath"/> holds and the table lost, then deletes it;
    /// returns how many events, or null when the file was left in place (not this journal's, unreadable, or the disk
    /// refused the rows: the lane then stays off, and the writer names the file in a warning).</summary>
    internal static int? Recover(JournalWriteStore store, string journalPath)
    {
        string path = journalPath + Suffix;
        if (!File.Exists(path)) return 0;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (Header(bytes) is not { } header) return null;
        bool numbered = header.Version == 1;
        if (numbered && header.JournalId != store.ExecuteScalar("SELECT value FROM counters WHERE name = 'journal_id'", ifNone: -1)) return null;
        long counter = numbered ? store.ExecuteScalar("SELECT value FROM counters WHERE name = 'critical_log'") : 0;
        var lost = new SortedDictionary<long, VmEvent>();
        for (int offset = Sector; offset + RecordHeader <= bytes.Length;)
        {
            // Format 2 keys by file order, which is publish order.
            if (!TryDecode(bytes.AsSpan(offset), out long number, out var vmEvent, out int padded)) padded = Sector;
            else if (vmEvent is not null && (numbered ? number > counter : !store.HoldsCritical(vmEvent))) lost.TryAdd(numbered ? number : offset, vmEvent);
            offset += padded;
        }
        if (lost.Count > 0)
        {
            try
            {
                store.Append([.. lost.Values], sync: true);
                if (numbered) store.ExecuteScalar($"UPDATE counters SET value = {lost.Keys.Max()} WHERE name = 'critical_log'");
            }
            catch (Exception e) when (e is Sqlite.SqliteException or IOException)
            {
                // Full disk or I/O error: the file stays for the next open.
                return null;
            }
        }
        // A crash before this line puts the same events back once more at the next open of a format 1 file: a duplicate, never a loss.
        File.Delete(path);
        return lost.Count;
    }

    /// <summary>Creates the file at <paramref name="path"/>, <paramref name="length"/> bytes of zeros after its header, allocated
    /// and synced now so that record writes never change its size; opened with O_SYNC.</summary>
    internal static SafeFileHandle Create(string path, long length)
    {
        var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, FileOptions.WriteThrough);
        try
        {
            RandomAccess.Write(handle, new byte[length], 0);
            var header = new byte[Sector];
            BinaryPrimitives.WriteUInt32LittleEndian(header, FileMagic);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), Version);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), Crc32C(header.AsSpan(8, 16)));
            RandomAccess.Write(handle, header, 0);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="vmEvent"/>'s record into <paramref name="destination"/>, zero-padded to whole
    /// sectors; returns its length, or 0 when it does not fit.</summary>
    internal static int Encode(VmEvent vmEvent, Span<byte> destination)
    {
        var line = vmEvent.Event.Raw.Span;
        int vmBytes = Encoding.UTF8.GetByteCount(vmEvent.Vm);
        int length = RecordHeader + vmBytes + line.Length;
        int padded = (length + Sector - 1) / Sector * Sector;
        if (padded > destination.Length || vmBytes > ushort.MaxValue) return 0;
        var record = destination[..padded];
        record.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(record, RecordMagic);
        BinaryPrimitives.WriteInt32LittleEndian(record[8..], length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)vmEvent.Flags);
        BinaryPrimitives.WriteInt64LittleEndian(record[24..], JournalWriteStore.ToMicroseconds(vmEvent.Received));
        BinaryPrimitives.WriteUInt16LittleEndian(record[32..], (ushort)vmBytes);
        BinaryPrimitives.WriteInt32LittleEndian(record[34..], line.Length);
        Encoding.UTF8.GetBytes(vmEvent.Vm, record[RecordHeader..]);
        line.CopyTo(record[(RecordHeader + vmBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc32C(record[8..length]));
        return padded;
    }

    private static (int Version, long JournalId)? Header(ReadOnlySpan<byte> file)
    {
        if (file.Length < Sector || BinaryPrimitives.ReadUInt32LittleEndian(file) != FileMagic) return null;
        if (BinaryPrimitives.ReadUInt32LittleEndian(file[4..]) != Crc32C(file[8..24])) return null;
        int version = BinaryPrimitives.ReadInt32LittleEndian(file[8..]);
        return version is 1 or Version ? (version, BinaryPrimitives.ReadInt64LittleEndian(file[16..])) : null;
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

    /// <summary>CRC-32C as the format checks it (tests write files with it).</summary>
    internal static uint Crc32C(ReadOnlySpan<byte> bytes)
    {
        uint crc = ~0u;
        foreach (byte b in bytes) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
