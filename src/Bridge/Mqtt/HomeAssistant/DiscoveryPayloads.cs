using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Events;

namespace Appliance.Bridge.Mqtt.HomeAssistant;

/// <summary>Home Assistant MQTT discovery configs for one VM: one device with running and alarm binary sensors,
/// a state sensor, an event entity, reset / power-down / acknowledge buttons and device triggers for the critical
/// events. Every entity is available only while the node is <c>online</c> and the VM's monitor is connected.</summary>
internal static class DiscoveryPayloads
{
    /// <summary>What the event entity reports for an event name it was not told about (a newer QEMU's event).</summary>
    public const string OtherEventType = "OTHER";

    /// <summary>Every <c>event_type</c> the event entity can report: the documented QMP events, the appliance's own
    /// events (which arrive on the same topics) and <see cref="OtherEventType"/>.</summary>
    public static IReadOnlyList<string> EventTypes { get; } =
        [.. QmpEventCatalog.Names, ApplianceEventNames.Gap, ApplianceEventNames.AlarmAcknowledged, OtherEventType];

    // Plain JSON for readers of the retained configs: templates hold ' and + , which the default encoder escapes.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>(config topic, payload) for every entity and device trigger of <paramref name="vm"/>.</summary>
    public static IEnumerable<(string Topic, byte[] Payload)> ForVm(string discoveryPrefix, MqttTopics topics, string vm)
    {
        string id = $"appliance_{Sanitize(topics.Node)}_{Sanitize(vm)}";
        string Topic(string component, string entity) => $"{discoveryPrefix}/{component}/{id}/{entity}/config";
        var ctx = new Context(topics, vm, id);

        yield return (Topic("binary_sensor", "running"), ctx.Entity("running", "Running", w =>
        {
            w.WriteString("state_topic"u8, topics.State(vm));
            w.WriteString("value_template"u8, "{{ 'ON' if value_json.running else 'OFF' }}");
            w.WriteString("device_class"u8, "running");
        }));
        yield return (Topic("binary_sensor", "alarm"), ctx.Entity("alarm", "Alarm", w =>
        {
            w.WriteString("state_topic"u8, topics.State(vm));
            w.WriteString("value_template"u8, "{{ 'ON' if value_json.alarm else 'OFF' }}");
            w.WriteString("device_class"u8, "problem");
            w.WriteString("json_attributes_topic"u8, topics.State(vm));
            w.WriteString("json_attributes_template"u8, "{{ {'alarms': value_json.alarms} | tojson }}");
        }));
        yield return (Topic("sensor", "state"), ctx.Entity("state", "State", w =>
        {
            w.WriteString("state_topic"u8, topics.State(vm));
            w.WriteString("value_template"u8, "{{ value_json.status }}");
        }));
        yield return (Topic("event", "qmp"), ctx.Entity("qmp", "QMP event", w =>
        {
            w.WriteString("state_topic"u8, topics.EventFilter(vm));
            w.WriteString("value_template"u8, EventTemplate);
            w.WriteStartArray("event_types"u8);
            foreach (var name in EventTypes) w.WriteStringValue(name);
            w.WriteEndArray();
        }));
        yield return (Topic("button", "reset"), ctx.Button("reset", "Reset", "system_reset", "restart"));
        yield return (Topic("button", "powerdown"), ctx.Button("powerdown", "Power down", "system_powerdown", null));
        yield return (Topic("button", "acknowledge"), ctx.Button("acknowledge", "Acknowledge alarms", MqttCommandNames.Acknowledge, null));
        yield return (Topic("device_automation", "watchdog"), ctx.Trigger("watchdog", QmpEventNames.Watchdog, null));
        yield return (Topic("device_automation", "guest_panicked"), ctx.Trigger("guest_panicked", QmpEventNames.GuestPanicked, null));
        // Only the BLOCK_IO_ERROR that stopped the VM is critical (see CriticalEventClassifier).
        yield return (Topic("device_automation", "block_io_error"), ctx.Trigger("block_io_error", QmpEventNames.BlockIoError,
            ("{{ value_json.data.action | default('') }}", "stop")));
    }

    /// <summary>The event entity's template: the event name when it is one of <see cref="EventTypes"/>, else
    /// <see cref="OtherEventType"/> (Home Assistant drops an event whose type it was not told about); the real name
    /// and the seq go along as attributes.</summary>
    private static readonly string EventTemplate =
        "{% set known = [" + string.Join(", ", EventTypes.Select(t => $"'{t}'")) + "] %}" +
        "{{ {'event_type': value_json.event if value_json.event in known else '" + OtherEventType + "', " +
        "'event': value_json.event, 'seq': value_json.seq} | tojson }}";

    private static string Sanitize(string name) => string.Create(name.Length, name, (span, n) =>
    {
        for (int i = 0; i < n.Length; i++) span[i] = char.IsAsciiLetterOrDigit(n[i]) || n[i] is '_' or '-' ? n[i] : '_';
    });

    private sealed class Context(MqttTopics topics, string vm, string id)
    {
        public byte[] Button(string entity, string name, string command, string? deviceClass) => Entity(entity, name, w =>
        {
            w.WriteString("command_topic"u8, topics.Command(vm));
            w.WriteString("payload_press"u8, $$"""{"execute":"{{command}}"}""");
            if (deviceClass is not null) w.WriteString("device_class"u8, deviceClass);
        });

        /// <summary>An entity, available while the node is online and the VM's monitor is connected: Home Assistant
        /// needs every topic of an <c>all</c> list to say so.</summary>
        public byte[] Entity(string entity, string name, Action<Utf8JsonWriter> specific) => Write(w =>
        {
            w.WriteString("name"u8, name);
            w.WriteString("unique_id"u8, $"{id}_{entity}");
            w.WriteString("object_id"u8, $"{id}_{entity}");
            specific(w);
            w.WriteStartArray("availability"u8);
            w.WriteStartObject();
            w.WriteString("topic"u8, topics.Status);
            w.WriteString("payload_available"u8, "online");
            w.WriteString("payload_not_available"u8, "offline");
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("topic"u8, topics.Monitor(vm));
            // An empty retained message (the VM is gone) has no value_json: unavailable.
            w.WriteString("value_template"u8, "{{ 'online' if value_json is defined and value_json.connected else 'offline' }}");
            w.WriteString("payload_available"u8, "online");
            w.WriteString("payload_not_available"u8, "offline");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("availability_mode"u8, "all");
            w.WriteNumber("qos"u8, 1);
        });

        /// <summary>A device trigger on one event's topic, optionally only for payloads whose template gives a value.</summary>
        public byte[] Trigger(string type, string eventName, (string Template, string Payload)? match) => Write(w =>
        {
            w.WriteString("automation_type"u8, "trigger");
            w.WriteString("type"u8, type);
            w.WriteString("subtype"u8, "critical_event");
            w.WriteString("topic"u8, topics.Event(vm, eventName));
            if (match is { } m)
            {
                w.WriteString("value_template"u8, m.Template);
                w.WriteString("payload"u8, m.Payload);
            }
            w.WriteNumber("qos"u8, 1);
        });

        private byte[] Write(Action<Utf8JsonWriter> members)
        {
            var buffer = new ArrayBufferWriter<byte>(1024);
            using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            {
                w.WriteStartObject();
                members(w);
                w.WriteStartObject("device"u8);
                w.WriteStartArray("identifiers"u8);
                w.WriteStringValue(id);
                w.WriteEndArray();
                w.WriteString("name"u8, $"{vm} on {topics.Node}");
                w.WriteString("manufacturer"u8, "Appliance");
                w.WriteString("model"u8, "QEMU virtual machine");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            return buffer.WrittenSpan.ToArray();
        }
    }
}
