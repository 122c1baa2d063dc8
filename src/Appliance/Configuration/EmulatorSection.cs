using Appliance.Qmp;
using Appliance.Emu;

namespace Appliance.Host.Configuration;

/// <summary>The <c>Emulator</c> section: emulated VMs run inside the appliance process. Enabled by default only when
/// no real monitors are configured (no <c>Monitors:Vms</c>, no <c>Monitors:Glob</c>, no <c>Monitors:Listen</c>).</summary>
internal sealed class EmulatorSection
{
    public const string SectionName = "Emulator";

    /// <summary>Run the emulated VMs; null means "when no real monitors are configured".</summary>
    public bool? Enabled { get; set; }

    /// <summary>The emulated VMs; one VM named <c>demo</c> when empty.</summary>
    public List<EmulatedVmSection> Vms { get; set; } = [];
}

/// <summary>One emulated VM, with options named after QEMU's command line.</summary>
internal sealed class EmulatedVmSection
{
    public string Name { get; set; } = "demo";

    /// <summary>Start paused, like QEMU's <c>-S</c>.</summary>
    public bool StartPaused { get; set; }

    /// <summary>Like <c>-no-shutdown</c>: a guest power-off stops the VM instead of ending it.</summary>
    public bool NoShutdown { get; set; }

    /// <summary>Like <c>-watchdog-action</c>: reset, shutdown, poweroff, pause, debug, none, inject-nmi.</summary>
    public string WatchdogAction { get; set; } = "reset";

    /// <summary>Like <c>-action panic=</c>: pause, poweroff, run.</summary>
    public string PanicAction { get; set; } = "pause";

    /// <summary>A scenario file driving the guest (docs/emulator.md).</summary>
    public string? Scenario { get; set; }

    /// <summary>Scenario time multiplier (2 runs the scenario twice as fast).</summary>
    public double ScenarioSpeed { get; set; } = 1;

    /// <summary>Extra QMP endpoints (<c>unix:PATH</c>, <c>tcp:HOST:PORT</c>) besides the one the appliance attaches to.</summary>
    public List<string> Qmp { get; set; } = [];

    /// <summary>The QEMU release the VM poses as: 7.2 (default), 8.2 or 9.2.</summary>
    public string QemuVersion { get; set; } = Appliance.Emu.Personas.QemuPersona.Default.Name;

    /// <summary>A VNC listener on loopback (port 0: any free port).</summary>
    public int? VncPort { get; set; }

    /// <summary>Maps to the emulator's options, with the appliance's own monitor socket first.</summary>
    public EmulatedVmOptions ToOptions(string monitorSocket)
    {
        if (!Appliance.Emu.Personas.QemuPersona.TryParse(QemuVersion, out var persona))
        {
            throw new ArgumentException($"Emulator:Vms:{Name}:QemuVersion '{QemuVersion}' is not one of {Appliance.Emu.Personas.QemuPersona.Names}");
        }
        var options = new EmulatedVmOptions
        {
            Persona = persona,
            Name = Name,
            StartPaused = StartPaused,
            NoShutdown = NoShutdown,
            WatchdogAction = WatchdogAction,
            PanicAction = PanicAction,
            ScenarioPath = Scenario,
            ScenarioSpeed = ScenarioSpeed,
            VncEnabled = VncPort is not null,
            VncPort = VncPort ?? 0,
        };
        options.QmpEndpoints.Add(QmpEndpoint.Unix(monitorSocket));
        foreach (var endpoint in Qmp)
        {
            if (!QmpEndpoint.TryParse(endpoint, out var parsed, out var error))
            {
                throw new ArgumentException($"Emulator:Vms:{Name}:Qmp '{endpoint}': {error}");
            }
            options.QmpEndpoints.Add(parsed);
        }
        return options;
    }
}
