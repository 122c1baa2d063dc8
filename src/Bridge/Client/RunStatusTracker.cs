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
            case QmpEventNames.BlockIoError when QmpEventCatalog.TryRead<BlockIoErrorEvent>(qmpEvent, out var io) && io.Action == "stop":
                _stopCause = "io-error";
                return null;
            case QmpEventNames.GuestPanicked when QmpEventCatalog.TryRead<GuestPanickedEvent>(qmpEvent, out var panic) && panic.Action == "pause":
                _stopCause = "guest-panicked";
                return null;
            case QmpEventNames.Watchdog when QmpEventCatalog.TryRead<WatchdogEvent>(qmpEvent, out var watchdog) && watchdog.Action == "pause":
                _stopCause = "watchdog";
                return null;
            case QmpEventNames.Migration when QmpEventCatalog.TryRead<MigrationEvent>(qmpEvent, out var migration) && migration.Status == "completed":
                return "postmigrate";
            default:
                return null;
        }
    }

    /// <summary>Starts over from a known status (the snapshot taken on connect).</summary>
    public void Reset() => _stopCause = "paused";

}
