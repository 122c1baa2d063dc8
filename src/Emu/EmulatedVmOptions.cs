using Appliance.Qmp;

namespace Appliance.Emu;

/// <summary>How an emulated VM is configured: the equivalents of QEMU's command-line switches.</summary>
public sealed class EmulatedVmOptions
{
    /// <summary>The VM name (<c>-name</c>), reported by <c>query-name</c>.</summary>
    public string Name { get; set; } = "emu";

    /// <summary>The QEMU release to pose as (<c>--qemu-version</c>): greeting version and event vocabulary.</summary>
    public Personas.QemuPersona Persona { get; set; } = Personas.QemuPersona.Default;

    /// <summary>Start paused in <c>prelaunch</c>, like <c>-S</c>; otherwise the VM starts running.</summary>
    public bool StartPaused { get; set; } = true;

    /// <summary>Like <c>-no-shutdown</c>: a guest shutdown stops the VM (status <c>shutdown</c>) instead of ending it.</summary>
    public bool NoShutdown { get; set; }

    /// <summary>Watchdog action: reset, shutdown, poweroff, pause, debug, none or inject-nmi.</summary>
    public string WatchdogAction { get; set; } = "reset";

    /// <summary>Guest panic action: pause, poweroff (QEMU's shutdown) or run (QEMU's none).</summary>
    public string PanicAction { get; set; } = "pause";

    /// <summary>A guest scenario file (see docs/emulator.md), or null for a guest that just runs.</summary>
    public string? ScenarioPath { get; set; }

    /// <summary>Scenario time runs this many times faster than the clock (1 = real time).</summary>
    public double ScenarioSpeed { get; set; } = 1;

    /// <summary>Where QMP monitors listen; see <see cref="QmpEndpoint.Parse"/>.</summary>
    public IList<QmpEndpoint> QmpEndpoints { get; } = [];

    /// <summary>Clients this VM's monitors dial (<c>--connect</c>), like QEMU's <c>-chardev socket,path=PATH,reconnect=2</c>
    /// with <c>-mon mode=control</c>: the VM connects to them and reconnects after they go away.</summary>
    public IList<QmpEndpoint> QmpConnect { get; } = [];

    /// <summary>Delay between attempts to reach a <see cref="QmpConnect"/> client (QEMU's <c>reconnect=</c>, in seconds there).</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Open a real RFB (VNC) listener on loopback.</summary>
    public bool VncEnabled { get; set; }

    /// <summary>The VNC TCP port; 0 lets the system choose.</summary>
    public int VncPort { get; set; }

    /// <summary>A VNC password: clients must pass VNC authentication; null offers security type None.</summary>
    public string? VncPassword { get; set; }

    /// <summary>Most bytes of one QMP input value held while it is read (QEMU's token size limit, 64 MiB). A client
    /// that sends more gets QEMU's "JSON token size limit exceeded"; a monitor never holds more than this plus one read.</summary>
    public int MaxMessageBytes { get; set; } = 64 << 20;

    /// <summary>Output a monitor may leave unread before it is disconnected, in bytes.</summary>
    public int MaxPendingOutputBytes { get; set; } = 1024 * 1024;

    /// <summary>Most QMP monitors connected at once; further connections are closed at once.</summary>
    public int MaxMonitors { get; set; } = 64;

    /// <summary>Every bad option, one line each starting with its name; empty when all are valid. The emulator trusts
    /// its options: whoever builds them checks them once, with this.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) problems.Add($"{nameof(Name)} is empty");
        if (!Machine.MachineActions.Watchdog.IsValid(WatchdogAction))
        {
            problems.Add($"{nameof(WatchdogAction)} '{WatchdogAction}' is not one of {Machine.MachineActions.Watchdog.List}");
        }
        if (!Machine.MachineActions.Panic.IsValid(PanicAction))
        {
            problems.Add($"{nameof(PanicAction)} '{PanicAction}' is not one of {Machine.MachineActions.Panic.List}");
        }
        if (!(ScenarioSpeed > 0)) problems.Add($"{nameof(ScenarioSpeed)} must be positive");
        if (ReconnectDelay <= TimeSpan.Zero) problems.Add($"{nameof(ReconnectDelay)} must be positive");
        if (VncPort is < 0 or > 65535) problems.Add($"{nameof(VncPort)} {VncPort} is out of range 0 to 65535");
        if (MaxMonitors < 1) problems.Add($"{nameof(MaxMonitors)} must be at least 1");
        if (MaxMessageBytes < 1024) problems.Add($"{nameof(MaxMessageBytes)} must be at least 1024");
        if (MaxPendingOutputBytes < 64 * 1024) problems.Add($"{nameof(MaxPendingOutputBytes)} must be at least 64 KiB");
        return problems;
    }
}
