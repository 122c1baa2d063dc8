using System.Buffers;
using System.Text.Json;
using Appliance.Bridge.Pipeline;

namespace Appliance.Host.Control;

/// <summary>The local control socket's protocol: one JSON request line, one JSON reply line, then close.</summary>
/// <remarks>Requests: <c>{"command": "status"}</c>, <c>{"command": "ack", "vm": NAME}</c> (vm optional: all VMs).
/// Replies: the status document, <c>{"ok": true, "cleared": [{"vm": NAME, "alarms": [EVENT, ...]}, ...]}</c> (empty when
/// nothing was latched), or <c>{"error": TEXT}</c>.</remarks>
internal static class ControlProtocol
{
    /// <summary>Default socket file name inside the runtime directory.</summary>
    public const string SocketFileName = "appliance.sock";

    /// <summary>Longest request accepted, in bytes.</summary>
    public const int MaxRequestBytes = 4096;

    public static byte[] Request(string command, string? vm = null)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("command", command);
            if (vm is not null) w.WriteString("vm", vm);
            w.WriteEndObject();
        }
        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    public static byte[] Error(string message)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("error", message);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The reply to <c>ack</c>: what was cleared, per VM.</summary>
    public static byte[] Acknowledged(IReadOnlyList<AcknowledgedAlarms> cleared)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", true);
            w.WriteStartArray("cleared");
            foreach (var vm in cleared)
            {
                w.WriteStartObject();
                w.WriteString("vm", vm.Vm);
                w.WriteStartArray("alarms");
                foreach (var alarm in vm.Alarms) w.WriteStringValue(alarm);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
