using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Bench.Journal;

/// <summary>Times one synced 512-byte write (O_SYNC) to a small file of its own: the least any design pays to make one
/// critical event durable, on the disk the journal shares.</summary>
internal sealed class SyncedWriteProbe : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly byte[] _record = new byte[512];

    private SyncedWriteProbe(SafeFileHandle file) => _file = file;

    /// <summary>Creates the file and writes its block once, so the timed writes change no allocation.</summary>
    public static SyncedWriteProbe Create(string path)
    {
        var file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, FileOptions.WriteThrough);
        var probe = new SyncedWriteProbe(file);
        probe.TimeOneWrite();
        return probe;
    }

    /// <summary>Writes the block in place and returns how long the synced write took, in milliseconds.</summary>
    public double TimeOneWrite()
    {
        _record[0]++;
        long start = Stopwatch.GetTimestamp();
        RandomAccess.Write(_file, _record, fileOffset: 0);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    public void Dispose() => _file.Dispose();
}
