namespace Appliance.Qmp.Events;

/// <summary>RESET: the machine was reset. QEMU 4.0+ adds <c>guest</c> and <c>reason</c>.</summary>
public sealed record ResetEvent(bool? Guest = null, string? Reason = null) : QmpEventData;

/// <summary>SHUTDOWN: the machine has shut down (QEMU is about to exit, or stops when run with -no-shutdown).
/// QEMU 4.0+ adds <c>guest</c> and <c>reason</c>.</summary>
public sealed record ShutdownEvent(bool? Guest = null, string? Reason = null) : QmpEventData;

/// <summary>WATCHDOG: the watchdog timer expired; <c>action</c> is reset, shutdown, poweroff, pause, debug, none or inject-nmi.</summary>
public sealed record WatchdogEvent(string Action) : QmpEventData;

/// <summary>GUEST_PANICKED: the guest reported a panic; <c>action</c> is pause, poweroff or run.</summary>
public sealed record GuestPanickedEvent(string Action, System.Text.Json.JsonElement? Info = null) : QmpEventData;

/// <summary>RTC_CHANGE: the guest changed its real-time clock. QEMU 7.0+ adds <c>qom-path</c>.</summary>
public sealed record RtcChangeEvent(long Offset, string? QomPath = null) : QmpEventData;

/// <summary>BALLOON_CHANGE: the guest moved the balloon; <c>actual</c> is the new guest memory size in bytes.</summary>
public sealed record BalloonChangeEvent(long Actual) : QmpEventData;
