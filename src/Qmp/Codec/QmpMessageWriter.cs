using System.Buffers;
using System.Text.Json;
using Appliance.Qmp.Messages;

namespace Appliance.Qmp.Codec;

/// <summary>Writes QMP messages as single JSON lines ending in CRLF, as QEMU does. No I/O: output goes to a buffer.</summary>
public static class QmpMessageWriter
{
    private static readonly JsonWriterOptions Options = new() { SkipValidation = false, Indented = false };

    /// <summary>Writes a JSON value through a callback. Used for <c>return</c>, <c>data</c> and <c>arguments</c>.</summary>
    public delegate void ValueWriter(Utf8JsonWriter writer);

    /// <summary>Writes the server greeting.</summary>
    public static void WriteGreeting(IBufferWriter<byte> output, QmpVersion version, IEnumerable<string> capabilities)
    {
        using var w = new Utf8JsonWriter(output, Options);
        w.WriteStartObject();
        w.WriteStartObject("QMP");
        w.WritePropertyName("version");
        WriteVersion(w, version);
        w.WriteStartArray("capabilities");
        foreach (var c in capabilities) w.WriteStringValue(c);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        EndLine(output);
    }

    /// <summary>Writes QEMU's <c>VersionInfo</c> object, as the greeting and <c>query-version</c> carry it.</summary>
    public static void WriteVersion(Utf8JsonWriter w, QmpVersion version)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(version);
        w.WriteStartObject();
        w.WriteStartObject("qemu");
        w.WriteNumber("major", version.Major); // schema order (VersionTriple): QEMU's dictionary order follows from it
        w.WriteNumber("minor", version.Minor);
        w.WriteNumber("micro", version.Micro);
        w.WriteEndObject();
        w.WriteString("package", version.Package);
        w.WriteEndObject();
    }

    /// <summary>Writes <c>{"return": VALUE, "id": ID}</c>; an empty <paramref name="value"/> callback writes <c>{}</c>.</summary>
    public static void WriteReturn(IBufferWriter<byte> output, ValueWriter? value, ReadOnlySpan<byte> id)
    {
        using var w = new Utf8JsonWriter(output, Options);
        w.WriteStartObject();
        w.WritePropertyName("return");
        if (value is null)
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }
        else
        {
            value(w);
        }
        WriteId(w, id);
        w.WriteEndObject();
        w.Flush();
        EndLine(output);
    }

    /// <summary>Writes <c>{"error": {"class": CLASS, "desc": DESC}, "id": ID}</c>.</summary>
    public static void WriteError(IBufferWriter<byte> output, string errorClass, string description, ReadOnlySpan<byte> id)
    {
        using var w = new Utf8JsonWriter(output, Options);
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("class", errorClass);
        w.WriteString("desc", description);
        w.WriteEndObject();
        WriteId(w, id);
        w.WriteEndObject();
        w.Flush();
        EndLine(output);
    }

    /// <summary>Writes <c>{"timestamp": {...}, "event": NAME, "data": DATA}</c>; <paramref name="data"/> null omits <c>data</c>.</summary>
    public static void WriteEvent(IBufferWriter<byte> output, string name, QmpTimestamp timestamp, ValueWriter? data)
    {
        using var w = new Utf8JsonWriter(output, Options);
        w.WriteStartObject();
        w.WriteStartObject("timestamp");
        w.WriteNumber("seconds", timestamp.Seconds);
        w.WriteNumber("microseconds", timestamp.Microseconds);
        w.WriteEndObject();
        w.WriteString("event", name);
        if (data is not null)
        {
            w.WritePropertyName("data");
            data(w);
        }
        w.WriteEndObject();
        w.Flush();
        EndLine(output);
    }

    /// <summary>Writes a client command <c>{"execute": NAME, "arguments": ARGS, "id": ID}</c>.</summary>
    /// <param name="output">Destination buffer.</param>
    /// <param name="command">Command name.</param>
    /// <param name="arguments">Raw JSON object of arguments, or empty to omit.</param>
    /// <param name="id">Raw JSON id, or empty to omit.</param>
    public static void WriteCommand(IBufferWriter<byte> output, string command, ReadOnlySpan<byte> arguments, ReadOnlySpan<byte> id)
    {
        using var w = new Utf8JsonWriter(output, Options);
        w.WriteStartObject();
        w.WriteString("execute", command);
        if (!arguments.IsEmpty)
        {
            w.WritePropertyName("arguments");
            w.WriteRawValue(arguments);
        }
        WriteId(w, id);
        w.WriteEndObject();
        w.Flush();
        EndLine(output);
    }

    private static void WriteId(Utf8JsonWriter w, ReadOnlySpan<byte> id)
    {
        if (id.IsEmpty) return;
        w.WritePropertyName("id");
        w.WriteRawValue(id, skipInputValidation: true);
    }

    private static void EndLine(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        output.Advance(2);
    }
}
