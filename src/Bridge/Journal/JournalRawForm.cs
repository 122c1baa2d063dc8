using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Journal;

/// <summary>How an event's line is stored: whole, or, when the line is exactly what QEMU (or the emulator) prints for
/// its name, timestamp and data, only its <c>data</c> member, since name and timestamp are columns of the row already.</summary>
/// <remarks>Lossless by construction: a line is shortened only after the line rebuilt from the row compared equal to it,
/// byte for byte. It saves about 90 bytes per event, twice (WAL and database), which is most of the journal's
/// bytes-per-event figure. The <c>events_json</c> view rebuilds the line in SQL for the sqlite3 command line.</remarks>
internal static class JournalRawForm
{
    /// <summary>Column <c>layout</c>: <c>raw</c> holds the data member of a line in QEMU's layout (<c>", "</c> and <c>": "</c>).
    /// The values date from when this was a bit of a shared flags column; kept, so old rows need no rewrite.</summary>
    internal const long QemuLayout = 0x100;

    /// <summary>Column <c>layout</c>: <c>raw</c> holds the data member of a line in compact layout (no spaces).</summary>
    internal const long CompactLayout = 0x200;

    /// <summary>What to store for <paramref name="qmpEvent"/>, and the row's <c>layout</c>.</summary>
    /// <param name="qmpEvent">The event as received.</param>
    /// <param name="timestampUs">The row's <c>timestamp_us</c>.</param>
    /// <param name="scratch">Reused buffer for the rebuilt line.</param>
    /// <param name="storedLayout"><see cref="QemuLayout"/>, <see cref="CompactLayout"/>, or 0 when the line is stored whole.</param>
    internal static ReadOnlySpan<byte> Shorten(QmpEvent qmpEvent, long timestampUs, ArrayBufferWriter<byte> scratch, out long storedLayout)
    {
        var raw = qmpEvent.Raw.Span;
        // The opening bytes tell which layout a line could be in, so each event is rebuilt once at most.
        long layout = raw.StartsWith("{\"timestamp\": {"u8) ? QemuLayout : raw.StartsWith("{\"timestamp\":{"u8) ? CompactLayout : 0;
        scratch.ResetWrittenCount();
        if (layout != 0 && TryWriteLine(scratch, layout, qmpEvent.Name, timestampUs, qmpEvent.Data.Span) && scratch.WrittenSpan.SequenceEqual(raw))
        {
            storedLayout = layout;
            return qmpEvent.Data.Span;
        }
        storedLayout = 0;
        return raw;
    }

    /// <summary>The line as received, from a stored row.</summary>
    internal static byte[] Restore(long layout, string eventName, long timestampUs, byte[] stored)
    {
        if (layout == 0) return stored;
        var line = new ArrayBufferWriter<byte>(stored.Length + eventName.Length + 96);
        if (!TryWriteLine(line, layout, eventName, timestampUs, stored))
        {
            throw new InvalidOperationException($"Journal row of event '{eventName}' has layout 0x{layout:x}, which no line layout matches.");
        }
        return line.WrittenSpan.ToArray();
    }

    // {"timestamp": {"seconds": S, "microseconds": U}, "event": "NAME"[, "data": DATA]}, spaced or compact.
    private static bool TryWriteLine(ArrayBufferWriter<byte> output, long layout, string name, long timestampUs, ReadOnlySpan<byte> data)
    {
        if (timestampUs < 0 || layout is not (QemuLayout or CompactLayout)) return false;
        bool spaced = layout == QemuLayout;
        Append(output, spaced ? "{\"timestamp\": {\"seconds\": "u8 : "{\"timestamp\":{\"seconds\":"u8);
        AppendNumber(output, timestampUs / 1_000_000);
        Append(output, spaced ? ", \"microseconds\": "u8 : ",\"microseconds\":"u8);
        AppendNumber(output, timestampUs % 1_000_000);
        Append(output, spaced ? "}, \"event\": \""u8 : "},\"event\":\""u8);
        var nameBytes = output.GetSpan(Encoding.UTF8.GetMaxByteCount(name.Length));
        output.Advance(Encoding.UTF8.GetBytes(name, nameBytes));
        Append(output, "\""u8);
        if (!data.IsEmpty)
        {
            Append(output, spaced ? ", \"data\": "u8 : ",\"data\":"u8);
            Append(output, data);
        }
        Append(output, "}"u8);
        return true;
    }

    private static void Append(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private static void AppendNumber(ArrayBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        output.Advance(written);
    }
}
