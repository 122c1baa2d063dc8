using System.Buffers;
using System.Text;
using System.Text.Json;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Indicators;

/// <summary>Builds the <see cref="ApplianceEventNames.AlarmAcknowledged"/> event that goes into the hub (and so the journal).</summary>
internal static class AlarmAcknowledgedEvent
{
    /// <summary>The event for <paramref name="vm"/>: data <c>{"by": ..., "alarms": [...]}</c>, in QMP's line format.</summary>
    public static VmEvent Create(string vm, string by, IReadOnlyList<string> alarms, DateTimeOffset now)
    {
        var data = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(data))
        {
            writer.WriteStartObject();
            writer.WriteString("by", by);
            writer.WriteStartArray("alarms");
            foreach (var alarm in alarms) writer.WriteStringValue(alarm);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        var timestamp = QmpTimestamp.FromDateTimeOffset(now);
        byte[] prefix = Encoding.UTF8.GetBytes($"{{\"event\": \"{ApplianceEventNames.AlarmAcknowledged}\", \"data\": ");
        byte[] suffix = Encoding.UTF8.GetBytes($", \"timestamp\": {{\"seconds\": {timestamp.Seconds}, \"microseconds\": {timestamp.Microseconds}}}}}");
        byte[] raw = [.. prefix, .. data.WrittenSpan, .. suffix];
        var qmpEvent = new QmpEvent(ApplianceEventNames.AlarmAcknowledged, timestamp, raw.AsMemory(prefix.Length, data.WrittenCount), raw);
        return new VmEvent(vm, qmpEvent, now, VmEventFlags.None);
    }
}
