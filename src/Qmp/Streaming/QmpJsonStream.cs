using System.Buffers;
using System.Text;

namespace Appliance.Qmp.Streaming;

/// <summary>Turns bytes, as they arrive, into complete JSON values, whatever the line breaks: the behaviour of QEMU's
/// JSON lexer and streamer (qobject/json-lexer.c, json-streamer.c). A value ends when its closing brace arrives, so a
/// command with no newline is answered at once, two values on one line are two values, and one value may span many
/// lines. A byte no JSON token can hold (0xFF, a control character, a stray letter) yields QEMU's
/// <c>JSON parse error, stray '…'</c>, drops the value being read and skips ahead to the next structural character
/// or line break, so the command after it on the same line still runs. Memory held is bounded by
/// <see cref="QmpStreamLimits.MaxMessageBytes"/> plus one read.</summary>
/// <remarks>Push model: write bytes into <see cref="GetInputBuffer"/> and <see cref="Advance"/>, then call
/// <see cref="TryRead"/> until it returns false. Not thread-safe. Inside strings the scan jumps to the next quote,
/// backslash or invalid byte in one vectorized search, so ordinary input costs little more than finding line ends.</remarks>
public sealed class QmpJsonStream
{
    private static readonly SearchValues<byte> DqStops = SearchValues.Create(StopBytes((byte)'"'));
    private static readonly SearchValues<byte> SqStops = SearchValues.Create(StopBytes((byte)'\''));
    private static readonly bool[] DqStopTable = Table(StopBytes((byte)'"'));
    private static readonly bool[] SqStopTable = Table(StopBytes((byte)'\''));

    private readonly QmpStreamLimits _limits;
    private byte[] _buffer;
    private int _end;
    private int _pos;
    private int _messageStart = -1;
    private int _tokenStart = -1;
    private Lex _state;
    private int _braces;
    private int _brackets;
    private long _tokenBytes;
    private int _tokens;
    private int _peekedEnd = -1;

    /// <summary>Creates a parser with the given limits (QEMU's when omitted).</summary>
    public QmpJsonStream(QmpStreamLimits? limits = null)
    {
        _limits = limits ?? QmpStreamLimits.Qemu;
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxMessageBytes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxNesting, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxTokens, 1);
        _buffer = new byte[Math.Min(_limits.MaxMessageBytes, 16 * 1024)];
    }

    /// <summary>The limits in force.</summary>
    public QmpStreamLimits Limits => _limits;

    /// <summary>Bytes held now (unread input plus the value and token being read): never more than
    /// <see cref="QmpStreamLimits.MaxMessageBytes"/> plus what was written since the last <see cref="TryRead"/>.</summary>
    public int HeldBytes => _end - (HoldStart >= 0 ? HoldStart : _pos);

    /// <summary>Capacity of the internal buffer, for tests that measure memory.</summary>
    public int BufferCapacity => _buffer.Length;

    /// <summary>Room for at least <paramref name="sizeHint"/> more input bytes; write into it, then <see cref="Advance"/>.</summary>
    public Memory<byte> GetInputBuffer(int sizeHint = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sizeHint, 1);
        _peekedEnd = -1;
        Compact();
        if (_buffer.Length - _end < sizeHint)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _end + sizeHint));
        }
        return _buffer.AsMemory(_end);
    }

    /// <summary>Accepts <paramref name="count"/> bytes written into the last <see cref="GetInputBuffer"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    /// <summary>Copies <paramref name="bytes"/> in (for callers that already hold the input).</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetInputBuffer(Math.Max(bytes.Length, 1)).Span);
        Advance(bytes.Length);
    }

    /// <summary>Fast path for input that is one message per line (QEMU's own output): when nothing is half read and a
    /// whole line is buffered, returns a copy of it (CR LF excluded) without consuming it. The caller parses it with
    /// a strict JSON parser and, if that accepts exactly one value, calls <see cref="AcceptLine"/>; otherwise it calls
    /// <see cref="TryRead"/>, which reads the same bytes the exact way. Strict JSON that is one value on one line is
    /// one value to QEMU's parser too, so both paths agree.</summary>
    public byte[]? PeekLine()
    {
        _peekedEnd = -1;
        if (_state != Lex.Start || _messageStart >= 0 || _tokenStart >= 0) return null;
        // Line ends left by the exact path are whitespace to QEMU too: skip them when ASCII follows.
        int j = _pos;
        while (j < _end && _buffer[j] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t') j++;
        if (j == _end || _buffer[j] >= 0x80) return null;
        _pos = j;
        int nl = _buffer.AsSpan(_pos, _end - _pos).IndexOf((byte)'\n');
        if (nl < 0 || nl > _limits.MaxMessageBytes) return null;
        _peekedEnd = _pos + nl + 1;
        int length = nl > 0 && _buffer[_pos + nl - 1] == (byte)'\r' ? nl - 1 : nl; // CRLF, as QEMU ends its lines
        return _buffer.AsSpan(_pos, length).ToArray();
    }

    /// <summary>Consumes the line returned by the last <see cref="PeekLine"/>.</summary>
    public void AcceptLine()
    {
        if (_peekedEnd < 0) throw new InvalidOperationException("no line was peeked");
        _pos = _peekedEnd;
        _peekedEnd = -1;
    }

    /// <summary>Reads on until one value or one error is complete; false when the input so far holds no more.</summary>
    public bool TryRead(out QmpStreamFrame frame)
    {
        _peekedEnd = -1;
        var buf = _buffer;
        int max = _limits.MaxMessageBytes;
        while (_pos < _end)
        {
            int hold = HoldStart;
            if (hold >= 0 && _pos - hold >= max)
            {
                frame = LimitError("JSON token size limit exceeded", Lex.Start);
                return true;
            }
            byte b = buf[_pos];
            switch (_state)
            {
                case Lex.Start:
                    if (b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
                    {
                        // Fast path: a run of whitespace followed by ASCII is skipped outright; only a run that meets
                        // the end of the input or a byte >= 0x80 is held as a token (QEMU reports it in "stray").
                        int j = _pos + 1;
                        while (j < _end && buf[j] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t') j++;
                        if (j < _end && buf[j] < 0x80) { _pos = j; continue; }
                    }
                    if (Begin(b, out frame)) return true;
                    continue;
                case Lex.Recovery:
                    // Skip to a point where input is likely to make sense again (QEMU's IN_RECOVERY).
                    if (b < 0x20 && b != (byte)'\t' || b >= 0xFE || b is (byte)'{' or (byte)'}' or (byte)'[' or (byte)']' or (byte)':' or (byte)',')
                    {
                        _state = Lex.Start;
                    }
                    else
                    {
                        _pos++;
                    }
                    continue;
                case Lex.Whitespace:
                    if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') { _pos++; continue; }
                    if (b < 0x80) { _state = Lex.Start; _tokenStart = -1; continue; }
                    frame = Stray();
                    return true;
                case Lex.DqString:
                case Lex.SqString:
                {
                    int stop = hold >= 0 ? Math.Min(_end, hold + max) : _end;
                    // Short strings (most QMP keys and values) are scanned with a table; long ones in one vector search.
                    var table = _state == Lex.DqString ? DqStopTable : SqStopTable;
                    int i = _pos, scalarStop = Math.Min(stop, _pos + 32);
                    while (i < scalarStop && !table[buf[i]]) i++;
                    if (i == scalarStop && i < stop)
                    {
                        int k = buf.AsSpan(i, stop - i).IndexOfAny(_state == Lex.DqString ? DqStops : SqStops);
                        i = k < 0 ? stop : i + k;
                    }
                    if (i >= stop) { _pos = stop; continue; }
                    _pos = i;
                    b = buf[_pos];
                    if (b == (byte)'\\') { _pos++; _state = _state == Lex.DqString ? Lex.DqEscape : Lex.SqEscape; continue; }
                    if (b is (byte)'"' or (byte)'\'') { _pos++; if (Token(TokenKind.String, out frame)) return true; continue; }
                    frame = Stray();
                    return true;
                }
                case Lex.DqEscape:
                case Lex.SqEscape:
                    if (b is >= 0x20 and <= 0xFD) { _pos++; _state = _state == Lex.DqEscape ? Lex.DqString : Lex.SqString; continue; }
                    frame = Stray();
                    return true;
                case Lex.Zero:
                    if (b == (byte)'.') { _pos++; _state = Lex.Mantissa; continue; }
                    if (IsDigit(b) || b >= 0x80) { frame = Stray(); return true; }
                    if (Token(TokenKind.Integer, out frame)) return true;
                    continue;
                case Lex.NonZero:
                    if (IsDigit(b)) { _pos = SkipDigits(buf, _pos + 1); continue; }
                    if (b == (byte)'.') { _pos++; _state = Lex.Mantissa; continue; }
                    if (b is (byte)'e' or (byte)'E') { _pos++; _state = Lex.ExpE; continue; }
                    if (b >= 0x80) { frame = Stray(); return true; }
                    if (Token(TokenKind.Integer, out frame)) return true;
                    continue;
                case Lex.Minus:
                    if (b == (byte)'0') { _pos++; _state = Lex.Zero; continue; }
                    if (IsDigit(b)) { _pos++; _state = Lex.NonZero; continue; }
                    frame = Stray();
                    return true;
                case Lex.Mantissa:
                    if (IsDigit(b)) { _pos++; _state = Lex.MantissaDigits; continue; }
                    frame = Stray();
                    return true;
                case Lex.MantissaDigits:
                    if (IsDigit(b)) { _pos = SkipDigits(buf, _pos + 1); continue; }
                    if (b is (byte)'e' or (byte)'E') { _pos++; _state = Lex.ExpE; continue; }
                    if (b >= 0x80) { frame = Stray(); return true; }
                    if (Token(TokenKind.Float, out frame)) return true;
                    continue;
                case Lex.ExpE:
                    if (b is (byte)'+' or (byte)'-') { _pos++; _state = Lex.ExpSign; continue; }
                    if (IsDigit(b)) { _pos++; _state = Lex.ExpDigits; continue; }
                    frame = Stray();
                    return true;
                case Lex.ExpSign:
                    if (IsDigit(b)) { _pos++; _state = Lex.ExpDigits; continue; }
                    frame = Stray();
                    return true;
                case Lex.ExpDigits:
                    if (IsDigit(b)) { _pos = SkipDigits(buf, _pos + 1); continue; }
                    if (b >= 0x80) { frame = Stray(); return true; }
                    if (Token(TokenKind.Float, out frame)) return true;
                    continue;
                case Lex.Keyword:
                    if (b is >= (byte)'a' and <= (byte)'z')
                    {
                        int j = _pos + 1;
                        while (j < _end && buf[j] is >= (byte)'a' and <= (byte)'z') j++;
                        _pos = j;
                        continue;
                    }
                    if (b >= 0x80) { frame = Stray(); return true; }
                    if (Token(TokenKind.Keyword, out frame)) return true;
                    continue;
            }
        }
        frame = default;
        return false;
    }

    /// <summary>A byte in the start state: a one-byte token, the start of a longer one, or a stray byte.</summary>
    private bool Begin(byte b, out QmpStreamFrame frame)
    {
        _tokenStart = _pos;
        _pos++;
        switch (b)
        {
            case (byte)'{': return Token(TokenKind.OpenBrace, out frame);
            case (byte)'}': return Token(TokenKind.CloseBrace, out frame);
            case (byte)'[': return Token(TokenKind.OpenBracket, out frame);
            case (byte)']': return Token(TokenKind.CloseBracket, out frame);
            case (byte)':' or (byte)',': return Token(TokenKind.Punctuation, out frame);
            case (byte)'"': _state = Lex.DqString; break;
            case (byte)'\'': _state = Lex.SqString; break;
            case (byte)'0': _state = Lex.Zero; break;
            case (byte)'-': _state = Lex.Minus; break;
            case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n': _state = Lex.Whitespace; break;
            case >= (byte)'1' and <= (byte)'9': _state = Lex.NonZero; break;
            case >= (byte)'a' and <= (byte)'z': _state = Lex.Keyword; break;
            default:
                _pos--;
                frame = Stray();
                return true;
        }
        frame = default;
        return false;
    }

    /// <summary>A token ended at <see cref="_pos"/>: QEMU's streamer counts brackets, applies its limits, and emits
    /// the value once every bracket is closed (or a closing one had no opening one).</summary>
    private bool Token(TokenKind kind, out QmpStreamFrame frame)
    {
        switch (kind)
        {
            case TokenKind.OpenBrace: _braces++; break;
            case TokenKind.CloseBrace: _braces--; break;
            case TokenKind.OpenBracket: _brackets++; break;
            case TokenKind.CloseBracket: _brackets--; break;
        }
        int length = _pos - _tokenStart;
        if (_tokenBytes + length + 1 > _limits.MaxMessageBytes)
        {
            frame = LimitError("JSON token size limit exceeded", Lex.Start);
            return true;
        }
        if (_tokens + 1 > _limits.MaxTokens)
        {
            frame = LimitError("JSON token count limit exceeded", Lex.Start);
            return true;
        }
        if (_braces + _brackets > _limits.MaxNesting)
        {
            frame = LimitError("JSON nesting depth limit exceeded", Lex.Start);
            return true;
        }
        if (_messageStart < 0) _messageStart = _tokenStart;
        _tokenBytes += length;
        _tokens++;
        _tokenStart = -1;
        _state = Lex.Start;
        if ((_braces > 0 || _brackets > 0) && _braces >= 0 && _brackets >= 0)
        {
            frame = default;
            return false;
        }
        frame = new QmpStreamFrame(QmpFrameKind.Value, _buffer.AsSpan(_messageStart, _pos - _messageStart).ToArray());
        ResetMessage();
        return true;
    }

    /// <summary>The byte at <see cref="_pos"/> fits no token: it ends the token with an error, as QEMU's lexer does.</summary>
    private QmpStreamFrame Stray()
    {
        _pos++;
        var text = _buffer.AsSpan(_tokenStart, _pos - _tokenStart);
        int nul = text.IndexOf((byte)0);
        if (nul >= 0) text = text[..nul]; // QEMU formats the token with %s
        var frame = new QmpStreamFrame(QmpFrameKind.Error, [], $"JSON parse error, stray '{Encoding.UTF8.GetString(text)}'");
        ResetMessage();
        _tokenStart = -1;
        _state = Lex.Recovery;
        return frame;
    }

    private QmpStreamFrame LimitError(string text, Lex next)
    {
        ResetMessage();
        _tokenStart = -1;
        _state = next;
        return new QmpStreamFrame(QmpFrameKind.Error, [], text, LimitExceeded: true);
    }

    private void ResetMessage()
    {
        _messageStart = -1;
        _braces = _brackets = 0;
        _tokenBytes = 0;
        _tokens = 0;
    }

    private int HoldStart => _messageStart >= 0 ? _messageStart : _tokenStart;

    /// <summary>Drops what has been read and is no longer held, so the buffer stays the size of what is held.</summary>
    private void Compact()
    {
        int keep = HoldStart >= 0 ? HoldStart : _pos;
        if (keep == 0) return;
        int live = _end - keep;
        if (live > 0) Buffer.BlockCopy(_buffer, keep, _buffer, 0, live);
        _end = live;
        _pos -= keep;
        if (_messageStart >= 0) _messageStart -= keep;
        if (_tokenStart >= 0) _tokenStart -= keep;
        // A buffer that grew for one huge value shrinks back once that value is gone.
        int floor = Math.Min(_limits.MaxMessageBytes, 16 * 1024);
        if (_buffer.Length > 4 * floor && live < floor) Array.Resize(ref _buffer, floor);
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool[] Table(byte[] stops)
    {
        var table = new bool[256];
        foreach (byte b in stops) table[b] = true;
        return table;
    }

    private int SkipDigits(byte[] buf, int from)
    {
        while (from < _end && IsDigit(buf[from])) from++;
        return from;
    }

    /// <summary>Bytes that end a run of ordinary string bytes: the closing quote, a backslash, and the bytes QEMU
    /// refuses inside strings (control characters, 0xFE, 0xFF).</summary>
    private static byte[] StopBytes(byte quote)
    {
        var stops = new List<byte> { quote, (byte)'\\', 0xFE, 0xFF };
        for (int c = 0; c < 0x20; c++) stops.Add((byte)c);
        return [.. stops];
    }

    private enum Lex : byte
    {
        Start,
        Recovery,
        Whitespace,
        DqString,
        DqEscape,
        SqString,
        SqEscape,
        Zero,
        NonZero,
        Minus,
        Mantissa,
        MantissaDigits,
        ExpE,
        ExpSign,
        ExpDigits,
        Keyword,
    }

    private enum TokenKind : byte
    {
        OpenBrace,
        CloseBrace,
        OpenBracket,
        CloseBracket,
        Punctuation,
        String,
        Integer,
        Float,
        Keyword,
    }
}
