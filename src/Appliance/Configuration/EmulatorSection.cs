using Appliance.Bridge.Client;
using Appliance.Emu;
using Appliance.Emu.Personas;
using Appliance.Qmp;

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

    /// <summary>Every bad setting of the VMs, one line each naming its key.</summary>
    public IEnumerable<string> Problems()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Vms.Count; i++)
        {
            var vm = Vms[i];
            string key = $"{SectionName}:Vms:{i}";
            // An empty name breaks the emulator's own rule, reported with the others below.
            bool named = !string.IsNullOrWhiteSpace(vm.Name);
            if (named && !VmMonitorOptions.IsValidName(vm.Name)) yield return $"{key}:Name = '{vm.Name}': expected 1-64 letters, digits, '-', '_' or '.'";
            else if (named && !names.Add(vm.Name)) yield return $"{key}:Name = '{vm.Name}': used by two emulated VMs";
            foreach (string problem in vm.Problems()) yield return $"{key}:{problem}";
        }
    }
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
    public string QemuVersion { get; set; } = QemuPersona.Default.Name;

    /// <summary>A VNC listener on loopback (port 0: any free port).</summary>
    public int? VncPort { get; set; }

    /// <summary>Maps to the emulator's options, with the appliance's own monitor socket first. The settings are valid
    /// (<see cref="Problems"/> is empty: the host validated them at start).</summary>
    public EmulatedVmOptions ToOptions(string monitorSocket)
    {
        var options = Settings();
        options.Persona = QemuPersona.Parse(QemuVersion);
        options.QmpEndpoints.Add(QmpEndpoint.Unix(monitorSocket));
        foreach (string endpoint in Qmp) options.QmpEndpoints.Add(QmpEndpoint.Parse(endpoint));
        return options;
    }

    /// <summary>Every bad setting, one line each starting with its key within the VM: the values that must parse, the
    /// emulator's own rules (<see cref="EmulatedVmOptions.Problems"/>), and a scenario file that must exist.</summary>
    public IEnumerable<string> Problems()
    {
        if (!QemuPersona.TryParse(QemuVersion, out _)) yield return $"QemuVersion = '{QemuVersion}': not one of {QemuPersona.Names}";
        foreach (string endpoint in Qmp)
        {
            if (!QmpEndpoint.TryParse(endpoint, out _, out string error)) yield return $"Qmp = '{endpoint}': {error}";
        }
        foreach (string problem in Settings().Problems()) yield return problem;
        if (Scenario is { } scenario && !File.Exists(scenario)) yield return $"Scenario = '{scenario}': file not found";
    }

    /// <summary>The settings that need no parsing, as the emulator's options.</summary>
    private EmulatedVmOptions Settings() => new()
    {
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
}
