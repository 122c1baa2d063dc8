namespace Appliance.Qmp.Framing;

/// <summary>Splits a byte stream into LF-terminated lines (a CR before the LF is dropped) with a hard size limit,
/// so an endless line costs bounded memory. Each returned line is a fresh array the caller may keep.</summary>
public sealed class QmpLineReader
{
    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>Creates a reader.</summary>
    /// <param name="stream">The stream to read; not owned.</param>
    /// <param name="maxLineBytes">Longest line accepted, in bytes, without its terminator.</param>
    public QmpLineReader(Stream stream, int maxLineBytes = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 16);
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _buffer = new byte[Math.Min(maxLineBytes + 2, 16 * 1024)];
    }

    /// <summary>The longest line accepted, in bytes.</summary>
    public int MaxLineBytes => _maxLineBytes;

    /// <summary>Reads the next line, reporting over-long lines and the end of the stream.</summary>
    public async ValueTask<QmpLine> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        long discarded = 0;
        int scanned = 0;
        while (true)
        {
            int nl = Array.IndexOf(_buffer, (byte)'\n', _start + scanned, _end - _start - scanned);
            if (nl >= 0)
            {
                if (discarded > 0)
                {
                    discarded += nl - _start + 1;
                    _start = nl + 1;
                    return new QmpLine(QmpLineKind.TooLong, [], discarded);
                }
                int len = nl - _start;
                if (len > 0 && _buffer[nl - 1] == (byte)'\r') len--;
                var line = _buffer.AsSpan(_start, len).ToArray();
                _start = nl + 1;
                if (len > _maxLineBytes)
                {
                    return new QmpLine(QmpLineKind.TooLong, [], len);
                }
                return new QmpLine(QmpLineKind.Line, line);
            }
            scanned = _end - _start;

            if (_eof)
            {
                if (_end > _start && discarded == 0)
                {
                    var tail = _buffer.AsSpan(_start, _end - _start).ToArray();
                    _start = _end;
                    return new QmpLine(QmpLineKind.Line, tail);
                }
                if (discarded > 0)
                {
                    discarded += _end - _start;
                    _start = _end;
                    return new QmpLine(QmpLineKind.TooLong, [], discarded);
                }
                return QmpLine.EndOfStream;
            }

            if (scanned > _maxLineBytes + 1)
            {
                // Over the limit with no terminator in sight: drop what we hold and keep dropping until LF.
                discarded += scanned;
                _start = _end = 0;
                scanned = 0;
            }
            MakeRoom();
            int n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (n == 0) _eof = true;
            _end += n;
        }
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            int size = Math.Min(_buffer.Length * 2, _maxLineBytes + 2);
            if (size > _buffer.Length) Array.Resize(ref _buffer, size);
        }
    }
}
