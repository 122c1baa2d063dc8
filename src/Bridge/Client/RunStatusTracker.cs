using System.Text.Json;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Client;

/// <summary>Follows a VM's run status from its events the way QEMU's own state machine does: a STOP after
/// BLOCK_IO_ERROR (action stop) means io-error, after GUEST_PANICKED (action pause) guest-panicked, after
/// WATCHDOG (action pause) watchdog; otherwise paused.</summary>
internal sealed class RunStatusTracker
{
    private string _stopCause = "paused";

    /// <summary>The run status the event implies, or null when it implies no change.</summary>
    public string? Apply(QmpEvent qmpEvent)
    {
        switch (qmpEvent.Name)
        {
            case QmpEventNames.Stop:
                string cause = _stopCause;
                _stopCause = "paused";
                return cause;
            case QmpEventNames.Resume:
            case QmpEventNames.Wakeup:
                _stopCause = "paused";
                return "running";
            case QmpEventNames.Shutdown:
                return "shutdown";
            case QmpEventNames.Suspend:
                return "suspended";
            case QmpEventNames.BlockIoError when Member(qmpEvent, "action") == "stop":
                _stopCause = "io-error";
                return null;
            case QmpEventNames.GuestPanicked when Member(qmpEvent, "action") == "pause":
                _stopCause = "guest-panicked";
                return null;
            case QmpEventNames.Watchdog when Member(qmpEvent, "action") == "pause":
                _stopCause = "watchdog";
                return null;
            case QmpEventNames.Migration when Member(qmpEvent, "status") == "completed":
                return "postmigrate";
            default:
                return null;
        }
    }

    /// <summary>Starts over from a known status (the snapshot taken on connect).</summary>
    public void Reset() => _stopCause = "paused";

    /// <summary>A top-level string member of the event's data, or null.</summary>
    internal static string? Member(QmpEvent qmpEvent, string name) => StringMember(qmpEvent.Data, name);

    /// <summary>A top-level string member of a JSON object, or null when absent, not a string, or malformed.</summary>
    internal static string? StringMember(ReadOnlyMemory<byte> json, string name)
    {
        if (json.IsEmpty) return null;
        try
        {
            using var doc = JsonDocument.Parse(json, QmpJsonLimits.DocumentOptions);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
