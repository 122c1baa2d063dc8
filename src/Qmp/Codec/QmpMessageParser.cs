using System.Text;
using System.Text.Json;
using Appliance.Qmp.Messages;

namespace Appliance.Qmp.Codec;

/// <summary>Parses one line sent by a QMP server into a <see cref="QmpMessage"/>. No I/O.</summary>
/// <remarks>Unknown members are ignored here but kept in <see cref="QmpMessage.Raw"/>; values that are passed on
/// (<c>data</c>, <c>return</c>, <c>id</c>) are sliced from the line, not re-serialized.</remarks>
public static class QmpMessageParser
{
    /// <summary>Parses a line (without terminator). Throws <see cref="QmpProtocolException"/> naming what was wrong.</summary>
    /// <param name="line">The line's UTF-8 bytes. The returned message refers to this memory; do not reuse it.</param>
    public static QmpMessage Parse(ReadOnlyMemory<byte> line)
    {
        try
        {
            return ParseCore(line);
        }
        catch (JsonException e)
        {
            throw new QmpProtocolException($"malformed JSON from QMP server: {e.Message}", e);
        }
    }

    private static QmpMessage ParseCore(ReadOnlyMemory<byte> line)
    {
        var reader = new Utf8JsonReader(line.Span, QmpJsonLimits.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new QmpProtocolException("QMP message is not a JSON object");
        }

        ReadOnlyMemory<byte> greeting = default, ret = default, error = default, id = default, data = default;
        QmpTimestamp timestamp = default;
        string? eventName = null;
        // Member names are compared as UTF-8 and the event name comes from QmpEventNameTable: on the event path
        // (hundreds of thousands a second under load) the only allocation left is the message itself.
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = ReadMember(ref reader);
            reader.Read();
            switch (member)
            {
                case Member.Event:
                    if (reader.TokenType != JsonTokenType.String) throw new QmpProtocolException("QMP event name is not a string");
                    eventName = QmpEventNameTable.Get(ref reader);
                    continue;
                case Member.Timestamp:
                    timestamp = ReadTimestamp(ref reader);
                    continue;
            }
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            var value = line[start..(int)reader.BytesConsumed];
            switch (member)
            {
                case Member.Greeting: greeting = value; break;
                case Member.Return: ret = value; break;
                case Member.Error: error = value; break;
                case Member.Id: id = value; break;
                case Member.Data: data = value; break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new QmpProtocolException("trailing data after the QMP message");
        }

        if (eventName is not null) return new QmpEvent(eventName, timestamp, data, line);
        if (!ret.IsEmpty) return new QmpReturn(ret, id, line);
        if (!error.IsEmpty) return ParseError(error, id, line);
        if (!greeting.IsEmpty) return ParseGreeting(greeting, line);
        throw new QmpProtocolException("QMP message has none of 'QMP', 'return', 'error' or 'event'");
    }

    private enum Member { Other, Greeting, Return, Error, Id, Data, Timestamp, Event }

    private static Member ReadMember(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("event"u8) ? Member.Event
        : reader.ValueTextEquals("timestamp"u8) ? Member.Timestamp
        : reader.ValueTextEquals("data"u8) ? Member.Data
        : reader.ValueTextEquals("return"u8) ? Member.Return
        : reader.ValueTextEquals("id"u8) ? Member.Id
        : reader.ValueTextEquals("error"u8) ? Member.Error
        : reader.ValueTextEquals("QMP"u8) ? Member.Greeting
        : Member.Other;

    // {"seconds": int, "microseconds": int}, other members ignored; the reader ends on the object's closing brace.
    private static QmpTimestamp ReadTimestamp(ref Utf8JsonReader reader)
    {
        long? seconds = null, micros = null;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isSeconds = reader.ValueTextEquals("seconds"u8);
                bool isMicros = !isSeconds && reader.ValueTextEquals("microseconds"u8);
                reader.Read();
                if ((isSeconds || isMicros) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value))
                {
                    if (isSeconds) seconds = value;
                    else micros = value;
                }
                else
                {
                    if (isSeconds) seconds = null;
                    if (isMicros) micros = null;
                    reader.Skip();
                }
            }
        }
        else
        {
            reader.Skip();
        }
        if (seconds is not { } s || micros is not { } us)
        {
            throw new QmpProtocolException("QMP event timestamp must be {\"seconds\": int, \"microseconds\": int}");
        }
        return new QmpTimestamp(s, us);
    }

    private static QmpErrorResponse ParseError(ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> id, ReadOnlyMemory<byte> line)
    {
        using var doc = JsonDocument.Parse(json, QmpJsonLimits.DocumentOptions);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new QmpProtocolException("QMP 'error' member is not an object");
        }
        string cls = root.TryGetProperty("class", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : QmpErrorClass.GenericError;
        string desc = root.TryGetProperty("desc", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
        return new QmpErrorResponse(cls, desc, id, line);
    }

    private static QmpGreeting ParseGreeting(ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> line)
    {
        using var doc = JsonDocument.Parse(json, QmpJsonLimits.DocumentOptions);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new QmpProtocolException("QMP greeting is not an object");
        }
        var version = new QmpVersion(0, 0, 0, "");
        if (root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Object
            && v.TryGetProperty("qemu", out var q) && q.ValueKind == JsonValueKind.Object)
        {
            version = new QmpVersion(Int(q, "major"), Int(q, "minor"), Int(q, "micro"),
                v.TryGetProperty("package", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "");
        }
        var caps = new List<string>();
        if (root.TryGetProperty("capabilities", out var cs) && cs.ValueKind == JsonValueKind.Array)
        {
            foreach (var cap in cs.EnumerateArray())
            {
                if (cap.ValueKind == JsonValueKind.String) caps.Add(cap.GetString()!);
            }
        }
        return new QmpGreeting(version, caps, line);
    }

    private static int Int(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var e) && e.TryGetInt32(out int i) ? i : 0;

    /// <summary>Decodes raw JSON for logs and errors, replacing invalid UTF-8.</summary>
    public static string ToText(ReadOnlySpan<byte> raw) => Encoding.UTF8.GetString(raw);
}
