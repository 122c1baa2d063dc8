namespace Appliance.Emu.Machine;

/// <summary>QEMU's RunState names, as <c>query-status</c> reports them.</summary>
internal static class RunStatus
{
    public const string Prelaunch = "prelaunch";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Shutdown = "shutdown";
    public const string Suspended = "suspended";
    public const string Watchdog = "watchdog";
    public const string GuestPanicked = "guest-panicked";
    public const string IoError = "io-error";
    public const string InMigrate = "inmigrate";
    public const string PostMigrate = "postmigrate";
    public const string FinishMigrate = "finish-migrate";
}

/// <summary>QEMU's ShutdownCause names, as RESET and SHUTDOWN report them in <c>reason</c>.</summary>
internal static class ShutdownReason
{
    public const string HostQmpQuit = "host-qmp-quit";
    public const string HostQmpSystemReset = "host-qmp-system-reset";
    public const string HostSignal = "host-signal";
    public const string GuestShutdown = "guest-shutdown";
    public const string GuestReset = "guest-reset";
    public const string GuestPanic = "guest-panic";
}

/// <summary>A closed set of QEMU enum values (an action list), with the text used in error messages.</summary>
internal sealed class EnumValues(params string[] all)
{
    public string[] All { get; } = all;

    public string List => string.Join(", ", All);

    public bool IsValid(string? value) => All.Contains(value);
}

/// <summary>The action enums the machine options use.</summary>
internal static class MachineActions
{
    /// <summary>QEMU's WatchdogAction.</summary>
    public static readonly EnumValues Watchdog = new("reset", "shutdown", "poweroff", "pause", "debug", "none", "inject-nmi");

    /// <summary>GUEST_PANICKED's action (QEMU's GuestPanicAction).</summary>
    public static readonly EnumValues Panic = new("pause", "poweroff", "run");
}
