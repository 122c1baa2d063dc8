namespace Appliance.Qmp.Streaming;

/// <summary>Reads a socket stream through a <see cref="QmpJsonStream"/>: each call returns the next complete value,
/// the next error, or the end of the stream. Memory stays within the parser's limits plus one read.</summary>
public sealed class QmpStreamReader
{
    private const int ReadSize = 16 * 1024;
    private readonly System.IO.Stream _stream;
    private readonly QmpJsonStream _parser;
    private bool _eof;

    /// <summary>Creates a reader.</summary>
    /// <param name="stream">The stream to read; not owned.</param>
    /// <param name="limits">The parser's limits; QEMU's when null.</param>
    public QmpStreamReader(System.IO.Stream stream, QmpStreamLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _parser = new QmpJsonStream(limits);
    }

    /// <summary>The parser's limits.</summary>
    public QmpStreamLimits Limits => _parser.Limits;

    /// <summary>Bytes held by the parser now.</summary>
    public int HeldBytes => _parser.HeldBytes;

    /// <summary>See <see cref="QmpJsonStream.PeekLine"/>: a whole buffered line, not consumed, or null.</summary>
    public byte[]? PeekLine() => _parser.PeekLine();

    /// <summary>See <see cref="QmpJsonStream.AcceptLine"/>.</summary>
    public void AcceptLine() => _parser.AcceptLine();

    /// <summary>Reads until a value or an error is complete, or the stream ends (an incomplete value is then dropped,
    /// as QEMU drops it when a monitor connection closes).</summary>
    public async ValueTask<QmpStreamFrame> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_parser.TryRead(out var frame)) return frame;
            if (_eof) return QmpStreamFrame.EndOfStream;
            int n = await _stream.ReadAsync(_parser.GetInputBuffer(ReadSize), cancellationToken).ConfigureAwait(false);
            if (n == 0) _eof = true;
            else _parser.Advance(n);
        }
    }
}
