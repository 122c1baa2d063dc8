using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary>An i6300esb-like watchdog. A healthy guest pets it in time, so it only runs a timer once the guest stops
/// petting; on expiry it performs the watchdog action as QEMU's watchdog_perform_action does.</summary>
internal sealed class Watchdog(VirtualMachine vm)
{
    private MachineClock.ScheduledAction? _expiry;

    /// <summary>The timeout the guest armed, or null while the watchdog is disabled.</summary>
    public TimeSpan? Timeout { get; private set; }

    /// <summary>The guest enables the watchdog with a timeout.</summary>
    public void Arm(TimeSpan timeout)
    {
        Timeout = timeout;
        _expiry?.Cancel();
        _expiry = null;
        if (vm.Guest.IsHung) OnGuestStoppedPetting();
    }

    /// <summary>The guest disables the watchdog.</summary>
    public void Disarm()
    {
        Timeout = null;
        _expiry?.Cancel();
        _expiry = null;
    }

    /// <summary>The last pet happened now; the watchdog fires one timeout later.</summary>
    public void OnGuestStoppedPetting()
    {
        if (Timeout is not { } timeout || _expiry is { IsActive: true }) return;
        _expiry = vm.Clock.After(timeout, Expire);
    }

    /// <summary>A reset disables the device, as the i6300esb's reset does.</summary>
    public void OnMachineReset() => Disarm();

    private void Expire()
    {
        _expiry = null;
        if (!vm.IsRunning)
        {
            // The watchdog counts guest time: a stopped guest trips it only after it runs again for a while.
            OnGuestStoppedPetting();
            return;
        }
        string action = vm.WatchdogAction;
        vm.Events.EmitThrottled(QmpEventNames.Watchdog, "", new WatchdogEvent(action));
        switch (action)
        {
            case "reset":
                vm.Reset(guest: true, ShutdownReason.GuestReset);
                break;
            case "shutdown":
                vm.Powerdown();
                break;
            case "poweroff":
                vm.Shutdown(guest: true, ShutdownReason.GuestShutdown);
                break;
            case "pause":
                vm.Stop(RunStatus.Watchdog);
                break;
            default:
                // debug, none, inject-nmi: the machine runs on and the hung guest lets the watchdog expire again.
                OnGuestStoppedPetting();
                break;
        }
    }
}
