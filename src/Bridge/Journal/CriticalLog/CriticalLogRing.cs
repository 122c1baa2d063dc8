namespace Appliance.Bridge.Journal.CriticalLog;

/// <summary>Where the next record goes in the critical log's circular data area, without I/O: a record may only
/// overwrite records whose events the journal holds durably (their numbers at most <see cref="Free"/>'s argument).</summary>
internal sealed class CriticalLogRing
{
    private readonly long _start;
    private readonly long _end;
    private readonly Queue<(long Number, long Offset, long End)> _live = new();
    private long _head;

    /// <param name="start">The first byte of the data area (after the header).</param>
    /// <param name="end">The end of the file.</param>
    internal CriticalLogRing(long start, long end)
    {
        _start = start;
        _end = end;
        _head = start;
    }

    /// <summary>Records written whose events the journal may not hold durably yet.</summary>
    internal int Live => _live.Count;

    /// <summary>The largest record the ring takes: a quarter of it, so one large event cannot fill it alone.</summary>
    internal long MaxRecordBytes => (_end - _start) / 4;

    /// <summary>Forgets the records numbered at most <paramref name="durableThrough"/>: their space may be reused.</summary>
    internal void Free(long durableThrough)
    {
        while (_live.Count > 0 && _live.Peek().Number <= durableThrough) _live.Dequeue();
    }

    /// <summary>Reserves <paramref name="length"/> bytes for record <paramref name="number"/>; false when they would
    /// overwrite a live record (the journal is behind) or the record is larger than <see cref="MaxRecordBytes"/>.</summary>
    internal bool TryPlace(long number, long length, out long offset)
    {
        offset = 0;
        if (length > MaxRecordBytes) return false;
        if (_live.Count == 0)
        {
            offset = _head + length <= _end ? _head : _start;
        }
        else
        {
            long oldest = _live.Peek().Offset;
            if (oldest >= _head)
            {
                // Live records run from oldest to the end and on from the start to the head: free is [head, oldest).
                if (_head + length > oldest) return false;
                offset = _head;
            }
            else if (_head + length <= _end)
            {
                offset = _head;
            }
            else if (_start + length <= oldest)
            {
                offset = _start;
            }
            else
            {
                return false;
            }
        }
        _head = offset + length;
        _live.Enqueue((number, offset, _head));
        return true;
    }
}
