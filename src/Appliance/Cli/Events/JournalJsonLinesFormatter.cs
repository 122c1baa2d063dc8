using Appliance.Bridge.Journal;
using System.Buffers;
using System.Text.Json;

namespace Appliance.Host.Cli.Events;

/// <summary>Writes journal rows as JSON lines for <c>appliance events --json</c>:
/// <c>{"seq":1,"vm":"vm1","event":"STOP","data":{...},"timestamp":{"seconds":..,"microseconds":..},"received":"2026-...Z","critical":false,"gap":false}</c>.
/// <c>data</c> is the event's data exactly as the monitor sent it, or null when the event had none.</summary>
internal static class JournalJsonLinesFormatter
{
    /// <summary>Writes one row and a newline.</summary>
    public static void Write(IBufferWriter<byte> output, JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(entry);
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = false }))
        {
            json.WriteStartObject();
            json.WriteNumber("seq"u8, entry.Seq);
            json.WriteString("vm"u8, entry.Vm);
            json.WriteString("event"u8, entry.Event);
            var data = JournalEventData.Find(entry.RawJson);
            json.WritePropertyName("data"u8);
            if (data.IsEmpty) json.WriteNullValue();
            else json.WriteRawValue(data.Span, skipInputValidation: true);
            json.WriteStartObject("timestamp"u8);
            json.WriteNumber("seconds"u8, entry.Timestamp.Seconds);
            json.WriteNumber("microseconds"u8, entry.Timestamp.Microseconds);
            json.WriteEndObject();
            json.WriteString("received"u8, entry.Received.UtcDateTime);
            json.WriteBoolean("critical"u8, (entry.Flags & Appliance.Bridge.Pipeline.VmEventFlags.Critical) != 0);
            json.WriteBoolean("gap"u8, (entry.Flags & Appliance.Bridge.Pipeline.VmEventFlags.Gap) != 0);
            json.WriteEndObject();
        }
        output.Write("\n"u8);
    }

    /// <summary>Writes one row and a newline to a stream.</summary>
    public static void Write(Stream output, JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new ArrayBufferWriter<byte>(256 + (entry?.RawJson.Length ?? 0));
        Write(buffer, entry!);
        output.Write(buffer.WrittenSpan);
    }
}
