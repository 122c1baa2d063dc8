using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary>Outgoing migration: setup, active with a MIGRATION_PASS per dirty-sync pass, then the source stops and
/// completes. MIGRATION and MIGRATION_PASS only go out with the <c>events</c> capability on.</summary>
internal sealed class MigrationModel(VirtualMachine vm)
{
    public const int Passes = 3;
    public static readonly TimeSpan PassInterval = TimeSpan.FromMilliseconds(200);

    private MachineClock.ScheduledAction? _step;
    private DateTimeOffset _started;
    private int _pass;

    public HashSet<string> Capabilities { get; } = new(StringComparer.Ordinal);
    public bool EventsEnabled => Capabilities.Contains("events");

    /// <summary>none, setup, active, completed, cancelling, cancelled or failed.</summary>
    public string Status { get; private set; } = "none";
    public bool InProgress => Status is "setup" or "active" or "cancelling";
    public long TotalMilliseconds { get; private set; }
    public long Transferred => Balloon.RamSize / Passes * _pass;

    public void Start()
    {
        _pass = 0;
        _started = vm.Clock.Now;
        SetStatus("setup");
        _step = vm.Clock.Every(PassInterval, Advance);
    }

    /// <summary>The URI named no transport QEMU knows: the attempt goes from setup straight to failed.</summary>
    public void FailToStart()
    {
        SetStatus("setup");
        SetStatus("failed");
    }

    public void Cancel()
    {
        if (!InProgress) return;
        _step?.Cancel();
        _step = null;
        SetStatus("cancelling");
        SetStatus("cancelled");
    }

    private void Advance()
    {
        if (Status == "setup")
        {
            SetStatus("active");
        }
        if (_pass < Passes)
        {
            _pass++;
            if (EventsEnabled) vm.Events.Emit(QmpEventNames.MigrationPass, new MigrationPassEvent(_pass));
            return;
        }
        _step?.Cancel();
        _step = null;
        vm.Stop(RunStatus.FinishMigrate);
        TotalMilliseconds = (long)(vm.Clock.Now - _started).TotalMilliseconds;
        SetStatus("completed");
        vm.SetStatus(RunStatus.PostMigrate);
        if (vm.Spice.HasClients) vm.Events.Emit(QmpEventNames.SpiceMigrateCompleted);
    }

    private void SetStatus(string status)
    {
        Status = status;
        if (EventsEnabled) vm.Events.Emit(QmpEventNames.Migration, new MigrationEvent(status));
    }
}
