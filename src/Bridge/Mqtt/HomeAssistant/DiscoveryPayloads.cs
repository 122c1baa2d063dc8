using System.Buffers;
using System.Text.Json;
using Appliance.Qmp.Events;

namespace Appliance.Bridge.Mqtt.HomeAssistant;

/// <summary>Home Assistant MQTT discovery configs for one VM: one device with running and alarm binary sensors,
/// a state sensor, an event entity and reset / power-down / acknowledge buttons, all available while the node's
/// status topic says <c>online</c>.</summary>
internal static class DiscoveryPayloads
{
    /// <summary>(config topic, payload) for every entity of <paramref name="vm"/>.</summary>
    public static IEnumerable<(string Topic, byte[] Payload)> ForVm(string discoveryPrefix, MqttTopics topics, string vm)
    {
        string id = $"appliance_{Sanitize(topics.Node)}_{Sanitize(vm)}";
        string Topic(string component, string entity) => $"{discoveryPrefix}/{component}/{id}/{entity}/config";
        var ctx = new Context(topics, vm, id);

        yield return (Topic("binary_sensor", "running"), ctx.Write("running", "Running", w =>
        {
            w.WriteString("state_topic"u8, topics.State(vm));
            w.WriteString("value_template"u8, "{{ 'ON' if value_json.running else 'OFF' }}");
            w.WriteString("device_class"u8, "running");
        }));
        yield return (Topic("binary_sensor", "alarm"), ctx.Write("alarm", "Alarm", w =>
        {
            w.WriteString("state_topic"u8, topics.State(vm));
            w.WriteString("value_template"u8, "{{ 'ON' if value_json.alarm else 'OFF' }}");
            w.WriteString("device_class"u8, "problem");
            w.WriteString("json_attributes_topic"u8, topics.State(vm));
            w.WriteString("json_attributes_template"u8, "{{ {'alarms': value_json.alarms} | tojson }}");
        }));
        yield return (Topic("sensor", "state"), ctx.Write("state", "State", w =>
        {
            w.WriteString("state_topic"u8, topics.State(vm));
            w.WriteString("value_template"u8, "{{ value_json.status }}");
        }));
        yield return (Topic("event", "qmp"), ctx.Write("qmp", "QMP event", w =>
        {
            w.WriteString("state_topic"u8, topics.EventFilter(vm));
            w.WriteString("value_template"u8, "{{ {'event_type': value_json.event, 'seq': value_json.seq} | tojson }}");
            w.WriteStartArray("event_types"u8);
            foreach (var name in QmpEventCatalog.Names) w.WriteStringValue(name);
            w.WriteEndArray();
        }));
        yield return (Topic("button", "reset"), ctx.Button("reset", "Reset", "system_reset", "restart"));
        yield return (Topic("button", "powerdown"), ctx.Button("powerdown", "Power down", "system_powerdown", null));
        yield return (Topic("button", "acknowledge"), ctx.Button("acknowledge", "Acknowledge alarms", MqttCommandNames.Acknowledge, null));
    }

    private static string Sanitize(string name) => string.Create(name.Length, name, (span, n) =>
    {
        for (int i = 0; i < n.Length; i++) span[i] = char.IsAsciiLetterOrDigit(n[i]) || n[i] is '_' or '-' ? n[i] : '_';
    });

    private sealed class Context(MqttTopics topics, string vm, string id)
    {
        public byte[] Button(string entity, string name, string command, string? deviceClass) => Write(entity, name, w =>
        {
            w.WriteString("command_topic"u8, topics.Command(vm));
            w.WriteString("payload_press"u8, $$"""{"execute":"{{command}}"}""");
            if (deviceClass is not null) w.WriteString("device_class"u8, deviceClass);
        });

        public byte[] Write(string entity, string name, Action<Utf8JsonWriter> specific)
        {
            var buffer = new ArrayBufferWriter<byte>(512);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("name"u8, name);
                w.WriteString("unique_id"u8, $"{id}_{entity}");
                w.WriteString("object_id"u8, $"{id}_{entity}");
                specific(w);
                w.WriteString("availability_topic"u8, topics.Status);
                w.WriteString("payload_available"u8, "online");
                w.WriteString("payload_not_available"u8, "offline");
                w.WriteNumber("qos"u8, 1);
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
