using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Pipeline;

/// <summary>One event as the bridge saw it: which VM, the QMP event exactly as received, when it arrived, and flags.</summary>
/// <param name="Vm">The VM's configured name.</param>
/// <param name="Event">The QMP event; <see cref="QmpMessage.Raw"/> is the line as the monitor sent it.</param>
/// <param name="Received">Host time when the bridge read the line.</param>
/// <param name="Flags">Critical and gap flags.</param>
public sealed record VmEvent(string Vm, QmpEvent Event, DateTimeOffset Received, VmEventFlags Flags)
{
    /// <summary>True when the event is critical (committed at once, drives alarms).</summary>
    public bool IsCritical => (Flags & VmEventFlags.Critical) != 0;

    /// <summary>True when this is a gap marker written on (re)connect.</summary>
    public bool IsGap => (Flags & VmEventFlags.Gap) != 0;

    /// <summary>The VM's run status (QEMU's names: running, paused, shutdown, io-error, ...) with this event applied,
    /// as its monitor worked it out from the snapshot and the event stream; null when unknown or not from a monitor.
    /// Every sink takes the run state from here rather than working it out again.</summary>
    public string? RunState { get; init; }
}

/// <summary>Flags stored with every journal row.</summary>
[Flags]
public enum VmEventFlags
{
    /// <summary>An ordinary event.</summary>
    None = 0,
    /// <summary>A critical event (see <see cref="CriticalEventClassifier"/>).</summary>
    Critical = 1,
    /// <summary>A gap marker: the monitor was (re)connected and events may have been missed before it.</summary>
    Gap = 2,
}

/// <summary>Names of the events the appliance itself writes into the stream, beside QEMU's.</summary>
public static class ApplianceEventNames
{
    /// <summary>Gap marker with a state snapshot, written on every (re)connect of a monitor. Data:
    /// <c>{"reason": "connected"|"reconnected", "status": {query-status}, "block-jobs": [...], "migrate": {...}}</c>.</summary>
    public const string Gap = "APPLIANCE_GAP";

    /// <summary>Latched alarms of a VM were acknowledged. Data: <c>{"by": "mqtt"|"cli"|"button", "alarms": [names]}</c>.
    /// Journaled so latched alarms survive a restart correctly.</summary>
    public const string AlarmAcknowledged = "APPLIANCE_ALARM_ACK";
}
