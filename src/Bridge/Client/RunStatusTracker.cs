using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Client;

/// <summary>The one place a VM's run status is worked out: from the snapshot taken on (re)connect
/// (<see cref="Reset"/>) and the stall check's <c>query-status</c> answers (<see cref="Observe"/>), then from each event the way QEMU's own state machine
/// does: a STOP after BLOCK_IO_ERROR (action stop) means io-error, after GUEST_PANICKED (action pause)
/// guest-panicked, after WATCHDOG (action pause) watchdog; otherwise paused. The monitor stamps <see cref="Current"/>
/// on every event it publishes, so every sink sees the same state with the event that made it.</summary>
/// <remarks>Events are applied by the monitor's reading loop and answers by its stall check, hence the lock.</remarks>
internal sealed class RunStatusTracker
{
    private readonly Lock _gate = new();
    private string _stopCause = "paused";
    private string? _current;

    /// <summary>The VM's run status now (QEMU's names), or null before the first snapshot.</summary>
    public string? Current
    {
        get
        {
            lock (_gate) return _current;
        }
    }

    /// <summary>Applies an event; returns the run status the event implies, or null when it implies no change.</summary>
    public string? Apply(QmpEvent qmpEvent)
    {
        lock (_gate)
        {
            string? status = Implied(qmpEvent);
            if (status is not null) _current = status;
            return status;
        }
    }

    /// <summary>Starts over from the status the snapshot taken on connect reported; null when it reported none.</summary>
    public void Reset(string? status)
    {
        lock (_gate)
        {
            _stopCause = "paused";
            _current = status;
        }
    }

    /// <summary>Takes the status a <c>query-status</c> answer reported while connected; a pending stop cause stays.</summary>
    public void Observe(string status)
    {
        lock (_gate) _current = status;
    }

    private string? Implied(QmpEvent qmpEvent)
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
}
