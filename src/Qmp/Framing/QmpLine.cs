namespace Appliance.Qmp.Framing;

/// <summary>What <see cref="QmpLineReader"/> read: a line, an over-long line that was discarded, or the end of the stream.</summary>
public readonly record struct QmpLine(QmpLineKind Kind, byte[] Bytes, long DiscardedBytes = 0)
{
    /// <summary>The end of the stream.</summary>
    public static QmpLine EndOfStream => new(QmpLineKind.EndOfStream, []);
}

/// <summary>The kinds of <see cref="QmpLine"/>.</summary>
public enum QmpLineKind
{
    /// <summary>A complete line; <see cref="QmpLine.Bytes"/> holds it without CR/LF.</summary>
    Line,
    /// <summary>A line longer than the limit; it was discarded up to its terminator and <see cref="QmpLine.DiscardedBytes"/> counts it.</summary>
    TooLong,
    /// <summary>The peer closed the stream. A final unterminated fragment is returned as a line first.</summary>
    EndOfStream,
}
