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

        ReadOnlyMemory<byte> greeting = default, ret = default, error = default, id = default, data = default, timestamp = default;
        string? eventName = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            var value = line[start..(int)reader.BytesConsumed];
            switch (name)
            {
                case "QMP": greeting = value; break;
                case "return": ret = value; break;
                case "error": error = value; break;
                case "id": id = value; break;
                case "data": data = value; break;
                case "timestamp": timestamp = value; break;
                case "event":
                    eventName = value.Span[0] == (byte)'"' ? JsonSerializer.Deserialize(value.Span, QmpJsonContext.Default.String) : null;
                    if (eventName is null) throw new QmpProtocolException("QMP event name is not a string");
                    break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new QmpProtocolException("trailing data after the QMP message");
        }

        if (eventName is not null) return new QmpEvent(eventName, ParseTimestamp(timestamp), data, line);
        if (!ret.IsEmpty) return new QmpReturn(ret, id, line);
        if (!error.IsEmpty) return ParseError(error, id, line);
        if (!greeting.IsEmpty) return ParseGreeting(greeting, line);
        throw new QmpProtocolException("QMP message has none of 'QMP', 'return', 'error' or 'event'");
    }

    private static QmpTimestamp ParseTimestamp(ReadOnlyMemory<byte> json)
    {
        if (json.IsEmpty) return default;
        using var doc = JsonDocument.Parse(json, QmpJsonLimits.DocumentOptions);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("seconds", out var s) || !s.TryGetInt64(out long seconds)
            || !root.TryGetProperty("microseconds", out var us) || !us.TryGetInt64(out long micros))
        {
            throw new QmpProtocolException("QMP event timestamp must be {\"seconds\": int, \"microseconds\": int}");
        }
        return new QmpTimestamp(seconds, micros);
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
