using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Appliance.Bridge.Journal;

namespace Appliance.Bridge.Mqtt;

/// <summary>Builds event messages: the QMP line exactly as received, with <c>node</c>, <c>vm</c>, <c>seq</c>,
/// <c>event_id</c>, <c>time</c>, <c>received</c> and <c>replayed</c> spliced in before its closing brace, so nothing
/// QEMU sent is re-serialized or lost. One instance per forwarder (not thread-safe): its buffers and JSON writer are
/// reused, so a message costs no allocation here.</summary>
internal sealed class EventPayload
{
    /// <summary>The last second DateTimeOffset can hold (9999-12-31T23:59:59Z).</summary>
    private const long MaxSeconds = 253_402_300_799;

    private readonly ArrayBufferWriter<byte> _members = new(256);
    private readonly Utf8JsonWriter _json;
    private readonly ArrayBufferWriter<byte> _eventId = new(64);
    private readonly byte[] _node;
    private readonly string _nodeName;

    public EventPayload(string node)
    {
        _nodeName = node;
        _node = Encoding.UTF8.GetBytes(node);
        _json = new Utf8JsonWriter(_members);
    }

    /// <summary>The <c>event_id</c> of the last message written (UTF-8, unescaped): <c>{node}/{vm}/{seq}</c>.</summary>
    public ReadOnlySpan<byte> EventId => _eventId.WrittenSpan;

    /// <summary>Writes the payload, or returns an error saying why the journaled line is not a JSON object.</summary>
    public string? TryWrite(ArrayBufferWriter<byte> output, JournalEntry entry, bool replayed)
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
        WriteEventId(entry);
        WriteMembers(entry, replayed);
        // Written as an object of its own, then its opening brace is dropped: the members land inside the event's object.
        output.Write(_members.WrittenSpan[1..]);
        return null;
    }

    private void WriteEventId(JournalEntry entry)
    {
        _eventId.ResetWrittenCount();
        _eventId.Write(_node);
        _eventId.Write("/"u8);
        var vm = _eventId.GetSpan(Encoding.UTF8.GetMaxByteCount(entry.Vm.Length));
        _eventId.Advance(Encoding.UTF8.GetBytes(entry.Vm, vm));
        _eventId.Write("/"u8);
        var seq = _eventId.GetSpan(20);
        entry.Seq.TryFormat(seq, out int written, default, CultureInfo.InvariantCulture);
        _eventId.Advance(written);
    }

    private void WriteMembers(JournalEntry entry, bool replayed)
    {
        _members.ResetWrittenCount();
        var w = _json;
        w.Reset(_members);
        w.WriteStartObject();
        w.WriteString("node"u8, _nodeName);
        w.WriteString("vm"u8, entry.Vm);
        w.WriteNumber("seq"u8, entry.Seq);
        w.WriteString(EventPropertyNames.EventId, _eventId.WrittenSpan);
        // QEMU's own clock, as an RFC 3339 time like `received` (the line's `timestamp` object stays as QEMU wrote it).
        // A timestamp no clock can show (QEMU writes -1 when it has none) is left out rather than invented.
        if (entry.Timestamp is { Seconds: >= 0 and <= MaxSeconds, Microseconds: >= 0 and < 1_000_000 } t) w.WriteString("time"u8, t.ToDateTimeOffset());
        w.WriteString("received"u8, entry.Received);
        w.WriteBoolean(EventPropertyNames.Replayed, replayed);
        w.WriteEndObject();
        w.Flush();
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> raw, int from)
    {
        while (from < raw.Length && IsWhitespace(raw[from])) from++;
        return from;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    /// <summary>The identity members' names, encoded once.</summary>
    private static class EventPropertyNames
    {
        public static readonly JsonEncodedText EventId = JsonEncodedText.Encode(EventProperties.EventId);
        public static readonly JsonEncodedText Replayed = JsonEncodedText.Encode(EventProperties.Replayed);
    }
}
