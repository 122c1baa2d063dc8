using System.Buffers;
using System.Text;

namespace Appliance.Qmp.Streaming;

/// <summary>Checks one value produced by <see cref="QmpJsonStream"/> against JSON's grammar as QEMU's parser
/// (qobject/json-parser.c) does, with QEMU's error texts (<c>JSON parse error, expecting value</c>,
/// <c>… invalid keyword 'abc'</c>, <c>… missing : in object pair</c>, …), and accepts QEMU's extensions (single-quoted
/// strings, <c>\'</c>), rewriting them to standard JSON for the rest of the program. No I/O, no allocation for
/// ordinary input.</summary>
public static class QemuJsonParser
{
    /// <summary>The outcome: <paramref name="Error"/> when the value is not JSON; else <paramref name="Json"/> holds
    /// standard JSON (the input itself unless it used QEMU's extensions).</summary>
    public readonly record struct Result(string? Error, ReadOnlyMemory<byte> Json);

    /// <summary>Parses a value whose bytes passed <see cref="QmpJsonStream"/> (so every token is well formed).</summary>
    public static Result Parse(ReadOnlyMemory<byte> value)
    {
        var cursor = new Cursor(value.Span);
        cursor.ParseValue();
        if (cursor.Error is { } error) return new Result($"JSON parse error, {error}", default);
        if (!cursor.NeedsRewrite) return new Result(null, value);
        var output = new ArrayBufferWriter<byte>(value.Length + 16);
        Rewrite(value.Span, output);
        return new Result(null, output.WrittenMemory);
    }

    /// <summary>Writes the tokens as standard JSON: strings re-encoded with double quotes, whitespace dropped.</summary>
    private static void Rewrite(ReadOnlySpan<byte> text, ArrayBufferWriter<byte> output)
    {
        var cursor = new Cursor(text);
        while (cursor.NextToken(out var token))
        {
            if (token[0] is (byte)'"' or (byte)'\'')
            {
                var decoded = new ArrayBufferWriter<byte>(token.Length);
                Cursor.DecodeString(token, decoded);
                QemuJsonWriter.WriteString(output, decoded.WrittenSpan);
            }
            else
            {
                output.Write(token);
            }
        }
    }

    /// <summary>An object's keys: the first without allocating, the rest in a list.</summary>
    private struct Keys
    {
        private string? _first;
        private List<string>? _rest;

        public bool TryAdd(string key)
        {
            if (_first is null) { _first = key; return true; }
            if (_first == key || (_rest?.Contains(key) ?? false)) return false;
            (_rest ??= []).Add(key);
            return true;
        }
    }

    private ref struct Cursor(ReadOnlySpan<byte> text)
    {
        private readonly ReadOnlySpan<byte> _text = text;
        private int _pos;
        private int _peekStart = -1;
        private int _peekEnd;

        public string? Error { get; private set; }
        public bool NeedsRewrite { get; private set; }

        /// <summary>QEMU's parse_value: null (false) on error, with the first error kept.</summary>
        public bool ParseValue()
        {
            if (!Peek(out var token)) return Fail("premature EOI");
            switch (token[0])
            {
                case (byte)'{': return ParseObject();
                case (byte)'[': return ParseArray();
                case (byte)'"' or (byte)'\'': Pop(); return CheckString(token, wantValue: false, out _);
                case (byte)'-' or (>= (byte)'0' and <= (byte)'9'): Pop(); return true;
                case >= (byte)'a' and <= (byte)'z':
                    Pop();
                    if (token.SequenceEqual("true"u8) || token.SequenceEqual("false"u8) || token.SequenceEqual("null"u8)) return true;
                    return Fail($"invalid keyword '{Encoding.UTF8.GetString(token)}'");
                default:
                    return Fail("expecting value");
            }
        }

        private bool ParseObject()
        {
            Pop();
            if (!Peek(out var peek)) return Fail("premature EOI");
            if (peek[0] == (byte)'}') { Pop(); return true; }
            // Keys seen so far, to refuse a duplicate as QEMU does; objects in QMP input are small.
            var keys = new Keys();
            if (!ParsePair(ref keys)) return false;
            while (true)
            {
                if (!Pop(out var token)) return Fail("premature EOI");
                if (token[0] == (byte)'}') return true;
                if (token[0] != (byte)',') return Fail("expected separator in dict");
                if (!ParsePair(ref keys)) return false;
            }
        }

        private bool ParsePair(ref Keys keys)
        {
            if (!Peek(out var keyToken)) return Fail("premature EOI");
            bool isString = keyToken[0] is (byte)'"' or (byte)'\'';
            string? key = null;
            if (isString)
            {
                Pop();
                if (!CheckString(keyToken, wantValue: true, out key)) return false;
            }
            else
            {
                ParseValue(); // QEMU parses the key first: its own error, if any, is the one reported
                return Fail("key is not a string in object");
            }
            if (!Pop(out var colon)) return Fail("premature EOI");
            if (colon[0] != (byte)':') return Fail("missing : in object pair");
            if (!ParseValue()) return Fail("Missing value in dict");
            return keys.TryAdd(key!) || Fail("duplicate key");
        }

        private bool ParseArray()
        {
            Pop();
            if (!Peek(out var peek)) return Fail("premature EOI");
            if (peek[0] == (byte)']') { Pop(); return true; }
            if (!ParseValue()) return Fail("expecting value");
            while (true)
            {
                if (!Pop(out var token)) return Fail("premature EOI");
                if (token[0] == (byte)']') return true;
                if (token[0] != (byte)',') return Fail("expected separator in list");
                if (!ParseValue()) return Fail("expecting value");
            }
        }

        /// <summary>QEMU's parse_string checks: escapes, \u values, UTF-8.</summary>
        private bool CheckString(ReadOnlySpan<byte> token, bool wantValue, out string? value)
        {
            value = null;
            if (token[0] == (byte)'\'') NeedsRewrite = true;
            var body = token[1..^1];
            if (body.IndexOf((byte)'\\') < 0)
            {
                // No escapes (the usual case): only the UTF-8 needs checking, and nothing is copied unless asked for.
                if (!System.Text.Unicode.Utf8.IsValid(body)) return Fail("invalid UTF-8 sequence in string");
                if (wantValue) value = Encoding.UTF8.GetString(body);
                return true;
            }
            var decoded = new ArrayBufferWriter<byte>(token.Length);
            if (DecodeString(token, decoded) is { } problem) return Fail(problem);
            if (token.Contains((byte)'\\') && token.IndexOf("\\'"u8) >= 0) NeedsRewrite = true;
            value = Encoding.UTF8.GetString(decoded.WrittenSpan);
            return true;
        }

        /// <summary>Decodes a string token's content into UTF-8; returns QEMU's complaint when it cannot.</summary>
        public static string? DecodeString(ReadOnlySpan<byte> token, ArrayBufferWriter<byte> output)
        {
            var body = token[1..^1];
            Span<byte> utf8 = stackalloc byte[4];
            int i = 0;
            while (i < body.Length)
            {
                byte b = body[i];
                if (b != (byte)'\\')
                {
                    if (b < 0x80) { output.Write([b]); i++; continue; }
                    if (Rune.DecodeFromUtf8(body[i..], out _, out int used) != OperationStatus.Done) return "invalid UTF-8 sequence in string";
                    output.Write(body.Slice(i, used));
                    i += used;
                    continue;
                }
                int begin = i;
                byte e = body[i + 1];
                i += 2;
                switch (e)
                {
                    case (byte)'"' or (byte)'\'' or (byte)'\\' or (byte)'/': output.Write([e]); continue;
                    case (byte)'b': output.Write("\b"u8); continue;
                    case (byte)'f': output.Write("\f"u8); continue;
                    case (byte)'n': output.Write("\n"u8); continue;
                    case (byte)'r': output.Write("\r"u8); continue;
                    case (byte)'t': output.Write("\t"u8); continue;
                    case (byte)'u':
                        int cp = Hex4(body, i);
                        i += 4;
                        if (cp is >= 0xD800 and <= 0xDBFF && i + 1 < body.Length && body[i] == (byte)'\\' && body[i + 1] == (byte)'u')
                        {
                            int trailing = Hex4(body, i + 2);
                            cp = trailing is >= 0xDC00 and <= 0xDFFF ? 0x10000 + ((cp & 0x3FF) << 10) + (trailing & 0x3FF) : -1;
                            if (cp >= 0) i += 6;
                        }
                        if (cp < 0 || !Rune.IsValid(cp))
                        {
                            var text = body[begin..Math.Min(i, body.Length)];
                            return $"{Encoding.UTF8.GetString(text)} is not a valid Unicode character";
                        }
                        if (cp == 0)
                        {
                            output.Write([(byte)0xC0, (byte)0x80]); // QEMU keeps NUL as modified UTF-8
                            continue;
                        }
                        int n = new Rune(cp).EncodeToUtf8(utf8);
                        output.Write(utf8[..n]);
                        continue;
                    default:
                        return "invalid escape sequence in string";
                }
            }
            return null;
        }

        private static int Hex4(ReadOnlySpan<byte> s, int at)
        {
            if (at + 4 > s.Length) return -1;
            int v = 0;
            for (int k = 0; k < 4; k++)
            {
                int d = HexDigit(s[at + k]);
                if (d < 0) return -1;
                v = v << 4 | d;
            }
            return v;
        }

        private static int HexDigit(byte c) => c switch
        {
            >= (byte)'0' and <= (byte)'9' => c - '0',
            >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
            _ => -1,
        };

        private bool Fail(string message)
        {
            Error ??= message; // QEMU keeps the first error
            return false;
        }

        private bool Peek(out ReadOnlySpan<byte> token)
        {
            if (_peekStart < 0)
            {
                int save = _pos;
                if (!NextToken(out token)) { _pos = save; return false; }
                _peekStart = _pos - token.Length;
                _peekEnd = _pos;
                _pos = save;
            }
            token = _text[_peekStart.._peekEnd];
            return true;
        }

        private void Pop() => Pop(out _);

        private bool Pop(out ReadOnlySpan<byte> token)
        {
            if (_peekStart >= 0)
            {
                token = _text[_peekStart.._peekEnd];
                _pos = _peekEnd;
                _peekStart = -1;
                return true;
            }
            return NextToken(out token);
        }

        /// <summary>The next token; the stream parser has already checked that each is well formed.</summary>
        public bool NextToken(out ReadOnlySpan<byte> token)
        {
            while (_pos < _text.Length && _text[_pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') _pos++;
            token = default;
            if (_pos >= _text.Length) return false;
            int start = _pos;
            byte b = _text[_pos++];
            if (b is (byte)'"' or (byte)'\'')
            {
                while (_text[_pos] != b) _pos += _text[_pos] == (byte)'\\' ? 2 : 1;
                _pos++;
            }
            else if (b is (byte)'-' or (>= (byte)'0' and <= (byte)'9'))
            {
                while (_pos < _text.Length && _text[_pos] is (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-') _pos++;
            }
            else if (b is >= (byte)'a' and <= (byte)'z')
            {
                while (_pos < _text.Length && _text[_pos] is >= (byte)'a' and <= (byte)'z') _pos++;
            }
            token = _text[start.._pos];
            return true;
        }
    }
}
