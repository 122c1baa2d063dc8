using Microsoft.Win32.SafeHandles;

namespace Appliance.Bridge.Journal.CriticalLog;

/// <summary>The critical log's file: allocated whole when created, then written in place with O_SYNC, so a write
/// returns once its sectors are on disk and never changes the file's size or allocation.</summary>
internal sealed class CriticalLogFile : IDisposable
{
    private const int FillChunkBytes = 64 * 1024;

    private readonly SafeFileHandle _handle;

    private CriticalLogFile(SafeFileHandle handle, string path, long length)
    {
        _handle = handle;
        Path = path;
        Length = length;
    }

    /// <summary>The file.</summary>
    internal string Path { get; }

    /// <summary>Its size in bytes: the header sector and the data area.</summary>
    internal long Length { get; }

    /// <summary>The valid records of the log at <paramref name="path"/> written for the journal <paramref name="journalId"/>,
    /// in file order; empty when the file is missing, or <paramref name="mismatch"/> says why it was not read.</summary>
    internal static IReadOnlyList<CriticalLogRecord> ReadRecords(string path, long journalId, out string? mismatch)
    {
        mismatch = null;
        if (!File.Exists(path)) return [];
        byte[] bytes = File.ReadAllBytes(path);
        long? owner = CriticalLogCodec.DecodeHeader(bytes);
        if (owner != journalId)
        {
            mismatch = owner is null ? "it has no valid header" : $"it belongs to another journal (id {owner}, this journal's is {journalId})";
            return [];
        }
        var records = new List<CriticalLogRecord>();
        int offset = CriticalLogCodec.HeaderBytes;
        while (offset < bytes.Length)
        {
            if (CriticalLogCodec.TryDecode(bytes.AsSpan(offset), out var record, out int length))
            {
                records.Add(record!);
                offset += length;
            }
            else
            {
                offset += CriticalLogCodec.SectorBytes;
            }
        }
        return records;
    }

    /// <summary>Opens the log for writing: an existing file of this journal and size is kept as it is (its records are
    /// all in the journal by then); any other file is replaced by a new one, its sectors written out and synced.</summary>
    internal static CriticalLogFile Open(string path, long journalId, long length)
    {
        byte[] header = new byte[CriticalLogCodec.HeaderBytes];
        CriticalLogCodec.EncodeHeader(journalId, header);
        bool keep = File.Exists(path) && new FileInfo(path).Length == length && CriticalLogCodec.DecodeHeader(ReadHeader(path)) == journalId;
        var handle = File.OpenHandle(path, keep ? FileMode.Open : FileMode.Create, FileAccess.ReadWrite, FileShare.Read, FileOptions.WriteThrough);
        try
        {
            if (!keep)
            {
                byte[] zeros = new byte[FillChunkBytes];
                for (long offset = 0; offset < length; offset += FillChunkBytes)
                {
                    RandomAccess.Write(handle, zeros.AsSpan(0, (int)Math.Min(FillChunkBytes, length - offset)), offset);
                }
                RandomAccess.Write(handle, header, 0);
            }
            return new CriticalLogFile(handle, path, length);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="offset"/>; returns once they are on disk.</summary>
    internal void Write(long offset, ReadOnlySpan<byte> bytes) => RandomAccess.Write(_handle, bytes, offset);

    public void Dispose() => _handle.Dispose();

    private static byte[] ReadHeader(string path)
    {
        byte[] header = new byte[CriticalLogCodec.HeaderBytes];
        using var stream = File.OpenRead(path);
        stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        return header;
    }
}
