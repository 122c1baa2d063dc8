using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Appliance.Qmp.Streaming;

/// <summary>Lays JSON out byte for byte as QEMU 7.2 writes it (qobject/qjson.c, qdict.c): <c>": "</c> after a key and
/// <c>", "</c> between members, object members in QEMU's dictionary order (its hash buckets, the newest member first
/// within a bucket), strings with QEMU's escapes (<c>\uXXXX</c> in upper case for control and non-ASCII characters,
/// plain <c>'</c> and <c>/</c>), and numbers as QEMU prints them.</summary>
public static class QemuJsonWriter
{
    /// <summary>QEMU's QDICT_BUCKET_MAX.</summary>
    private const int Buckets = 512;

    /// <summary>Rewrites one standard JSON message (optionally ending in CRLF, which is kept) in QEMU's layout.</summary>
    public static byte[] Relayout(ReadOnlySpan<byte> message)
    {
        bool crlf = message.EndsWith("\r\n"u8);
        var json = crlf ? message[..^2] : message;
        var output = new ArrayBufferWriter<byte>(json.Length + json.Length / 4 + 4);
        WriteValue(json, output);
        if (crlf) output.Write("\r\n"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Where QEMU's dictionary puts a key: its bucket (QEMU's tdb_hash modulo 512).</summary>
    public static int Bucket(ReadOnlySpan<byte> key)
    {
        uint value = unchecked(0x238F13AFu * (uint)key.Length);
        for (int i = 0; i < key.Length; i++) value = unchecked(value + ((uint)key[i] << (i * 5 % 24)));
        return (int)(unchecked(1103515243u * value + 12345u) % Buckets);
    }

    /// <summary>Writes a string's UTF-8 content as a QEMU JSON string.</summary>
    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        var dest = output.GetSpan(utf8.Length * 12 + 2);
        int n = 0;
        dest[n++] = (byte)'"';
        int i = 0;
        while (i < utf8.Length)
        {
            byte b = utf8[i];
            if (b is >= 0x20 and < 0x7F && b != (byte)'"' && b != (byte)'\\')
            {
                dest[n++] = b;
                i++;
                continue;
            }
            int cp;
            if (b < 0x80)
            {
                cp = b;
                i++;
            }
            else if (b == 0xC0 && i + 1 < utf8.Length && utf8[i + 1] == 0x80)
            {
                cp = 0; // modified UTF-8 NUL
                i += 2;
            }
            else
            {
                var status = Rune.DecodeFromUtf8(utf8[i..], out var rune, out int used);
                cp = status == OperationStatus.Done ? rune.Value : 0xFFFD;
                i += Math.Max(used, 1);
            }
            n += Escape(cp, dest[n..]);
        }
        dest[n++] = (byte)'"';
        output.Advance(n);
    }

    private static int Escape(int cp, Span<byte> dest)
    {
        switch (cp)
        {
            case '"': return Copy("\\\""u8, dest);
            case '\\': return Copy("\\\\"u8, dest);
            case '\b': return Copy("\\b"u8, dest);
            case '\f': return Copy("\\f"u8, dest);
            case '\n': return Copy("\\n"u8, dest);
            case '\r': return Copy("\\r"u8, dest);
            case '\t': return Copy("\\t"u8, dest);
        }
        if (cp > 0xFFFF)
        {
            int n = Hex(0xD800 + ((cp - 0x10000) >> 10), dest);
            return n + Hex(0xDC00 + ((cp - 0x10000) & 0x3FF), dest[n..]);
        }
        return Hex(cp, dest);
    }

    private static int Hex(int unit, Span<byte> dest)
    {
        dest[0] = (byte)'\\';
        dest[1] = (byte)'u';
        unit.TryFormat(dest[2..6], out _, "X4", CultureInfo.InvariantCulture);
        return 6;
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> dest)
    {
        text.CopyTo(dest);
        return text.Length;
    }

    private static void WriteValue(ReadOnlySpan<byte> json, ArrayBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1100 });
        reader.Read();
        WriteValue(ref reader, json, output);
    }

    private static void WriteValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ArrayBufferWriter<byte> output)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                WriteObject(ref reader, json, output);
                return;
            case JsonTokenType.StartArray:
                output.Write("["u8);
                bool first = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (!first) output.Write(", "u8);
                    first = false;
                    WriteValue(ref reader, json, output);
                }
                output.Write("]"u8);
                return;
            case JsonTokenType.String:
                WriteString(output, Unescaped(ref reader));
                return;
            case JsonTokenType.Number:
                WriteNumber(reader.ValueSpan, output);
                return;
            default:
                output.Write(reader.ValueSpan); // true, false, null
                return;
        }
    }

    private static void WriteObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ArrayBufferWriter<byte> output)
    {
        var members = new List<(byte[] Key, int Bucket, int Index, int Start, int End)>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Unescaped(ref reader).ToArray();
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            members.Add((key, Bucket(key), members.Count, start, (int)reader.BytesConsumed));
        }
        // QEMU walks its buckets in order; within one bucket the member added last comes first.
        members.Sort((a, b) => a.Bucket != b.Bucket ? a.Bucket.CompareTo(b.Bucket) : b.Index.CompareTo(a.Index));
        output.Write("{"u8);
        for (int i = 0; i < members.Count; i++)
        {
            if (i > 0) output.Write(", "u8);
            WriteString(output, members[i].Key);
            output.Write(": "u8);
            WriteValue(json[members[i].Start..members[i].End], output);
        }
        output.Write("}"u8);
    }

    private static ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped) return reader.ValueSpan;
        var buffer = new byte[reader.ValueSpan.Length];
        int n = reader.CopyString(buffer);
        return buffer.AsSpan(0, n);
    }

    /// <summary>Integers as QEMU keeps them (64-bit, <c>-0</c> is <c>0</c>); anything else as its <c>%.17g</c>.</summary>
    private static void WriteNumber(ReadOnlySpan<byte> text, ArrayBufferWriter<byte> output)
    {
        if (text.IndexOfAny("."u8 + "eE"u8) < 0)
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
            {
                output.Write(Encoding.ASCII.GetBytes(l.ToString(CultureInfo.InvariantCulture)));
                return;
            }
            if (text[0] != (byte)'-' && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u))
            {
                output.Write(Encoding.ASCII.GetBytes(u.ToString(CultureInfo.InvariantCulture)));
                return;
            }
        }
        double d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        output.Write(Encoding.ASCII.GetBytes(d.ToString("G17", CultureInfo.InvariantCulture).Replace('E', 'e')));
    }
}
