using System.Buffers;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Client;

/// <summary>The gap marker for events a monitor's backlog dropped while the journal pushed back past its capacity:
/// <c>{"reason": "backlog-full", "lost": N, "first-event": A, "last-event": B}</c>, where A..B number the dropped
/// events among those QEMU sent on this connection (1 for the first).</summary>
internal static class BacklogLossMarker
{
    public static QmpEvent Create(LossRange loss, DateTimeOffset now)
    {
        var line = new ArrayBufferWriter<byte>(160);
        QmpMessageWriter.WriteEvent(line, ApplianceEventNames.Gap, QmpTimestamp.FromDateTimeOffset(now), w =>
        {
            w.WriteStartObject();
            w.WriteString("reason", "backlog-full");
            w.WriteNumber("lost", loss.Count);
            w.WriteNumber("first-event", loss.First);
            w.WriteNumber("last-event", loss.Last);
            w.WriteEndObject();
        });
        return (QmpEvent)QmpMessageParser.Parse(line.WrittenMemory[..^2].ToArray()); // without CRLF, as lines read from a monitor are
    }
}
