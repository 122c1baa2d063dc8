using System.Buffers;
using System.Text.Json;
using Appliance.Bridge.Journal;

namespace Appliance.Bridge.Mqtt;

/// <summary>Builds an event message: the QMP line exactly as received, with <c>node</c>, <c>vm</c>, <c>seq</c> and
/// <c>received</c> spliced in before its closing brace, so nothing QEMU sent is re-serialized or lost.</summary>
internal static class EventPayload
{
    /// <summary>Writes the payload, or returns an error saying why the journaled line is not a JSON object.</summary>
    public static string? TryWrite(ArrayBufferWriter<byte> output, JournalEntry entry, string node)
    {
        var raw = entry.RawJson.AsSpan();
        int start = SkipWhitespace(raw, 0);
        int end = raw.Length - 1;
        while (end >= 0 && IsWhitespace(raw[end])) end--;
        if (start > end || raw[start] != (byte)'{' || raw[end] != (byte)'}')
        {
            return $"journal row {entry.Seq} is not a JSON object";
        }
        bool hasMembers = SkipWhitespace(raw, start + 1) < end;
        output.Write(raw[start..end]);
        if (hasMembers) output.Write(","u8);
        WriteMembers(output, entry, node);
        return null;
    }

    private static void WriteMembers(ArrayBufferWriter<byte> output, JournalEntry entry, string node)
    {
        // Written as an object of its own, then its opening brace is dropped: the members land inside the event's object.
        var members = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(members))
        {
            w.WriteStartObject();
            w.WriteString("node"u8, node);
            w.WriteString("vm"u8, entry.Vm);
            w.WriteNumber("seq"u8, entry.Seq);
            w.WriteString("received"u8, entry.Received);
            w.WriteEndObject();
        }
        output.Write(members.WrittenSpan[1..]);
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> raw, int from)
    {
        while (from < raw.Length && IsWhitespace(raw[from])) from++;
        return from;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
