using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Guest;

/// <summary>What the guest OS does: reacts to the power button, acknowledges unplugs, pets its watchdog until it hangs,
/// panics, sets its clock. Guest reactions take <see cref="ReactionDelay"/> of running time; a stopped guest reacts
/// once it runs again.</summary>
internal sealed class GuestModel(VirtualMachine vm)
{
    /// <summary>How long the guest takes to react to a host request (ACPI event, unplug, eject request).</summary>
    public static readonly TimeSpan ReactionDelay = TimeSpan.FromMilliseconds(200);

    private List<Action>? _deferred;

    /// <summary>A hung or panicked guest does nothing: no petting, no ACPI handling.</summary>
    public bool IsHung { get; private set; }

    /// <summary>An ACPI-aware guest powers off on the power button.</summary>
    public bool AcpiAware { get; set; } = true;

    /// <summary>Refuses DIMM hot-unplug (memory not movable), answering _OST with a failure.</summary>
    public bool RefusesMemoryUnplug { get; set; } = true;

    /// <summary>Schedules a guest reaction: after <see cref="ReactionDelay"/> if running, else when it runs again.</summary>
    public void React(Action reaction)
    {
        if (IsHung) return;
        if (!vm.IsRunning)
        {
            (_deferred ??= []).Add(reaction);
            return;
        }
        vm.Clock.After(ReactionDelay, () =>
        {
            if (vm.IsRunning && !IsHung) reaction();
            else if (!IsHung) (_deferred ??= []).Add(reaction);
        });
    }

    public void OnResumed()
    {
        if (_deferred is null) return;
        var pending = _deferred;
        _deferred = null;
        foreach (var reaction in pending) React(reaction);
    }

    public void OnPowerButton()
    {
        if (AcpiAware) React(() => vm.Shutdown(guest: true, ShutdownReason.GuestShutdown));
    }

    public void OnMachineReset()
    {
        IsHung = false;
        _deferred = null;
    }

    public void OnPoweredOff() => _deferred = null;

    /// <summary>The guest stops responding: it no longer pets the watchdog nor handles requests.</summary>
    public void Hang()
    {
        IsHung = true;
        vm.Watchdog.OnGuestStoppedPetting();
    }

    /// <summary>The guest kernel panics and reports it through pvpanic; the machine applies the panic action.</summary>
    public void Panic()
    {
        IsHung = true;
        vm.Watchdog.OnGuestStoppedPetting();
        vm.Events.Emit(QmpEventNames.GuestPanicked, new GuestPanickedEvent(vm.PanicAction));
        switch (vm.PanicAction)
        {
            case "pause":
                vm.Stop(RunStatus.GuestPanicked);
                break;
            case "poweroff":
                vm.Shutdown(guest: true, ShutdownReason.GuestPanic);
                break;
        }
    }

    /// <summary>The guest powers itself off (ACPI S5).</summary>
    public void PowerOff() => vm.Shutdown(guest: true, ShutdownReason.GuestShutdown);

    /// <summary>The guest asks for shutdown through pvpanic (bit 2). QEMU 9.1+ sends GUEST_PVSHUTDOWN and shuts down;
    /// older pvpanic devices ignore the bit.</summary>
    public void PvpanicShutdown()
    {
        if (!vm.Options.Persona.HasEvent(QmpEventNames.GuestPvshutdown)) return;
        vm.Events.Emit(QmpEventNames.GuestPvshutdown);
        vm.Shutdown(guest: true, ShutdownReason.GuestShutdown);
    }

    /// <summary>The guest reboots itself.</summary>
    public void Reboot() => vm.Reset(guest: true, ShutdownReason.GuestReset);

    /// <summary>The guest suspends to RAM (S3).</summary>
    public void SuspendToRam() => vm.Suspend();

    /// <summary>The guest hibernates (S4): SUSPEND_DISK, then it powers off.</summary>
    public void SuspendToDisk()
    {
        if (!vm.IsRunning) return;
        vm.Events.Emit(QmpEventNames.SuspendDisk);
        vm.Shutdown(guest: true, ShutdownReason.GuestShutdown);
    }

    /// <summary>The guest writes its RTC: RTC_CHANGE with the new offset from host time (rate-limited).</summary>
    public void SetRtc(long offsetSeconds) =>
        vm.Events.EmitThrottled(QmpEventNames.RtcChange, "", new RtcChangeEvent(offsetSeconds, "/machine/unattached/device[8]"));

    /// <summary>The guest opens or closes a virtio-serial port (rate-limited per port id).</summary>
    public void SetSerialPort(string id, bool open) =>
        vm.Events.EmitThrottled(QmpEventNames.VserportChange, id, new VserportChangeEvent(id, open));
}
