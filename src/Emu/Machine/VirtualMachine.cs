using Appliance.Emu.Devices;
using Appliance.Emu.Guest;
using Appliance.Qmp.Events;
using Microsoft.Extensions.Logging;

namespace Appliance.Emu.Machine;

/// <summary>The emulated machine: its run state and the devices that react to commands and to the guest.
/// Every member is used with <see cref="Gate"/> held (commands, timers and the guest all take it).</summary>
internal sealed class VirtualMachine
{
    public VirtualMachine(EmulatedVmOptions options, TimeProvider time, ILogger logger)
    {
        Options = options;
        Logger = logger;
        Clock = new MachineClock(time, Gate, logger);
        Events = new EventBus(Clock, options.Persona);
        Status = options.StartPaused ? RunStatus.Prelaunch : RunStatus.Running;
        WatchdogAction = options.WatchdogAction;
        PanicAction = options.PanicAction;
        Guest = new GuestModel(this);
        Watchdog = new Watchdog(this);
        Disks = new BlockLayer(this);
        Jobs = new BlockJobManager(this);
        Hotplug = new HotplugDevices(this);
        Nics = new NicModel(this);
        Balloon = new Balloon(this);
        Migration = new MigrationModel(this);
        Dump = new DumpModel(this);
        Spice = new SpiceModel(this);
    }

    public object Gate { get; } = new();
    public EmulatedVmOptions Options { get; }
    public ILogger Logger { get; }
    public MachineClock Clock { get; }
    public EventBus Events { get; }
    public GuestModel Guest { get; }
    public Watchdog Watchdog { get; }
    public BlockLayer Disks { get; }
    public BlockJobManager Jobs { get; }
    public HotplugDevices Hotplug { get; }
    public NicModel Nics { get; }
    public Balloon Balloon { get; }
    public MigrationModel Migration { get; }
    public DumpModel Dump { get; }
    public SpiceModel Spice { get; }
    public VncState? Vnc { get; set; }

    public string Status { get; private set; }
    public string WatchdogAction { get; set; }
    public string PanicAction { get; set; }
    public bool HasExited { get; private set; }

    /// <summary>Raised once, with the lock held, when the VM is gone (quit, or a shutdown without -no-shutdown).</summary>
    public event Action? Exited;

    public bool IsRunning => Status == RunStatus.Running;

    /// <summary>Shutdown and internal-error states need a reset before <c>cont</c> (runstate_needs_reset).</summary>
    public bool NeedsReset => Status == RunStatus.Shutdown;

    /// <summary>vm_stop: only a running VM stops, emitting STOP; the status names why.</summary>
    public void Stop(string status)
    {
        if (!IsRunning) return;
        Status = status;
        Events.Emit(QmpEventNames.Stop);
    }

    /// <summary>vm_start: a stopped VM resumes, emitting RESUME; then the guest retries what it was doing.</summary>
    public void Start()
    {
        if (IsRunning || HasExited) return;
        Status = RunStatus.Running;
        Events.Emit(QmpEventNames.Resume);
        Disks.RetryStoppedRequests();
        Guest.OnResumed();
    }

    /// <summary>qemu_system_reset: RESET, the guest reboots, and a VM that was not running is back in prelaunch.</summary>
    public void Reset(bool guest, string reason)
    {
        Events.Emit(QmpEventNames.Reset, new ResetEvent(guest, reason));
        Watchdog.OnMachineReset();
        Guest.OnMachineReset();
        if (!IsRunning && Status is not (RunStatus.InMigrate or RunStatus.FinishMigrate))
        {
            Status = RunStatus.Prelaunch;
        }
    }

    /// <summary>A shutdown request: SHUTDOWN, then the VM ends, or with -no-shutdown stops in status shutdown.</summary>
    public void Shutdown(bool guest, string reason)
    {
        if (HasExited) return;
        Events.Emit(QmpEventNames.Shutdown, new ShutdownEvent(guest, reason));
        if (Options.NoShutdown && reason != ShutdownReason.HostQmpQuit)
        {
            if (IsRunning) Stop(RunStatus.Shutdown);
            else Status = RunStatus.Shutdown;
            Guest.OnPoweredOff();
            Watchdog.Disarm();
            return;
        }
        Exit();
    }

    /// <summary>The ACPI power button: POWERDOWN, and an ACPI-aware guest powers off.</summary>
    public void Powerdown()
    {
        Events.Emit(QmpEventNames.Powerdown);
        Guest.OnPowerButton();
    }

    /// <summary>The guest entered S3: SUSPEND, status suspended.</summary>
    public void Suspend()
    {
        if (!IsRunning) return;
        Events.Emit(QmpEventNames.Suspend);
        Status = RunStatus.Suspended;
    }

    /// <summary>Wakes a suspended guest: WAKEUP, running again.</summary>
    public bool Wakeup()
    {
        if (Status != RunStatus.Suspended) return false;
        Status = RunStatus.Running;
        Events.Emit(QmpEventNames.Wakeup);
        return true;
    }

    /// <summary>Forces a status without an event (incoming-migration and finish-migrate bookkeeping).</summary>
    public void SetStatus(string status) => Status = status;

    /// <summary>The VM is gone: timers stop and monitors close after their pending output.</summary>
    public void Exit()
    {
        if (HasExited) return;
        HasExited = true;
        Clock.StopAll();
        Exited?.Invoke();
    }
}
