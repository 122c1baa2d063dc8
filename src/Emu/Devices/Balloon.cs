using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary>virtio-balloon: the guest moves <see cref="Actual"/> toward the target in steps, each a (rate-limited)
/// BALLOON_CHANGE; a timer runs only while it moves.</summary>
internal sealed class Balloon(VirtualMachine vm)
{
    public const long RamSize = 1L << 30;
    public const long StepBytes = 64L << 20;
    public static readonly TimeSpan StepInterval = TimeSpan.FromMilliseconds(100);

    private MachineClock.ScheduledAction? _mover;

    public long Actual { get; private set; } = RamSize;
    public long Target { get; private set; } = RamSize;

    public void SetTarget(long bytes)
    {
        Target = Math.Min(bytes, RamSize);
        if (Target != Actual) _mover ??= vm.Clock.Every(StepInterval, Step);
    }

    private void Step()
    {
        if (!vm.IsRunning || vm.Guest.IsHung) return;
        long delta = Math.Clamp(Target - Actual, -StepBytes, StepBytes);
        Actual += delta;
        vm.Events.EmitThrottled(QmpEventNames.BalloonChange, "", new BalloonChangeEvent(Actual));
        if (Actual != Target) return;
        _mover?.Cancel();
        _mover = null;
    }
}
