using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Journal.CriticalLog;

/// <summary>The critical log's byte layout, without I/O. The file is a header sector, then records, each starting on a
/// 512-byte boundary and padded to one (a power cut tears at most the record being written, which then fails its CRC).</summary>
/// <remarks>
/// Header (sector 0): magic, CRC-32C of bytes 8..24, format version, reserved, the journal's id (a random number kept in
/// its <c>counters</c> table, so a log left beside a replaced journal is recognised and not replayed into it).
/// Record: magic, CRC-32C of bytes 8..length, length, flags, number, received time in microseconds since the epoch,
/// VM name length, line length, VM name (UTF-8), line. Integers are little-endian.
/// </remarks>
internal static class CriticalLogCodec
{
    internal const int SectorBytes = 512;
    internal const int HeaderBytes = SectorBytes;
    internal const int RecordHeaderBytes = 38;
    internal const int FormatVersion = 1;

    // Bytes no UTF-8 JSON line starts a sector with by accident (0xC1 never occurs in UTF-8); the CRC does the rest.
    private const uint FileMagic = 0xC1_48_4C_41;
    private const uint RecordMagic = 0xC1_52_4C_41;

    /// <summary>Bytes <paramref name="record"/> takes in the file, padding included.</summary>
    internal static int PaddedLength(CriticalLogRecord record) => Pad(RecordHeaderBytes + Encoding.UTF8.GetByteCount(record.Vm) + record.Line.Length);

    /// <summary>Writes <paramref name="record"/> into <paramref name="destination"/> (at least <see cref="PaddedLength"/>
    /// bytes; the padding is zeroed) and returns the padded length.</summary>
    internal static int Encode(CriticalLogRecord record, Span<byte> destination)
    {
        int vmBytes = Encoding.UTF8.GetByteCount(record.Vm);
        int length = RecordHeaderBytes + vmBytes + record.Line.Length;
        int padded = Pad(length);
        destination[..padded].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, RecordMagic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], (uint)record.Flags);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], record.Number);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], record.ReceivedUs);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[32..], checked((ushort)vmBytes));
        BinaryPrimitives.WriteInt32LittleEndian(destination[34..], record.Line.Length);
        Encoding.UTF8.GetBytes(record.Vm, destination[RecordHeaderBytes..]);
        record.Line.CopyTo(destination[(RecordHeaderBytes + vmBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C(destination[8..length]));
        return padded;
    }

    /// <summary>Reads the record at the start of <paramref name="source"/>; false when there is none there (an unused
    /// sector, the middle of a record, or a record torn by a power cut).</summary>
    internal static bool TryDecode(ReadOnlySpan<byte> source, out CriticalLogRecord? record, out int paddedLength)
    {
        record = null;
        paddedLength = 0;
        if (source.Length < RecordHeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(source) != RecordMagic) return false;
        int length = BinaryPrimitives.ReadInt32LittleEndian(source[8..]);
        if (length < RecordHeaderBytes || length > source.Length) return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) != Crc32C(source[8..length])) return false;
        int vmBytes = BinaryPrimitives.ReadUInt16LittleEndian(source[32..]);
        int lineBytes = BinaryPrimitives.ReadInt32LittleEndian(source[34..]);
        if (lineBytes < 0 || RecordHeaderBytes + vmBytes + lineBytes != length) return false;
        record = new CriticalLogRecord(
            Number: BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            Vm: Encoding.UTF8.GetString(source.Slice(RecordHeaderBytes, vmBytes)),
            Flags: (VmEventFlags)BinaryPrimitives.ReadUInt32LittleEndian(source[12..]),
            ReceivedUs: BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
            Line: source.Slice(RecordHeaderBytes + vmBytes, lineBytes).ToArray());
        paddedLength = Pad(length);
        return true;
    }

    /// <summary>Writes the header sector for the journal <paramref name="journalId"/>.</summary>
    internal static void EncodeHeader(long journalId, Span<byte> destination)
    {
        destination[..HeaderBytes].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, FileMagic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], journalId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C(destination[8..24]));
    }

    /// <summary>The journal id of a valid header; null when the sector is no header of this format.</summary>
    internal static long? DecodeHeader(ReadOnlySpan<byte> source)
    {
        if (source.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(source) != FileMagic) return null;
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) != Crc32C(source[8..24])) return null;
        if (BinaryPrimitives.ReadInt32LittleEndian(source[8..]) != FormatVersion) return null;
        return BinaryPrimitives.ReadInt64LittleEndian(source[16..]);
    }

    private static int Pad(int length) => (length + SectorBytes - 1) / SectorBytes * SectorBytes;

    private static uint Crc32C(ReadOnlySpan<byte> bytes)
    {
        uint crc = ~0u;
        while (bytes.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }
        foreach (byte b in bytes) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
