using Appliance.Bridge.Client;
using Appliance.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Appliance.Host.Hosting;

/// <summary>Which emulated VMs run in the appliance process, and where their QMP sockets are.</summary>
internal static class EmulatedVms
{
    /// <summary>The emulated VMs to run: none when disabled, or (by default) when real monitors are configured;
    /// one VM named <c>demo</c> when enabled without a list.</summary>
    public static IReadOnlyList<EmulatedVmSection> Plan(IConfiguration config)
    {
        var emulator = new EmulatorSection();
        config.GetSection(EmulatorSection.SectionName).Bind(emulator);
        var monitors = new MonitorOptions();
        config.GetSection(MonitorOptions.SectionName).Bind(monitors);
        bool enabled = emulator.Enabled ?? (monitors.Vms.Count == 0 && string.IsNullOrEmpty(monitors.Glob) && monitors.Listen.Count == 0);
        if (!enabled) return [];
        return emulator.Vms.Count > 0 ? emulator.Vms : [new EmulatedVmSection()];
    }

    /// <summary>The QMP socket of an emulated VM, in the runtime directory (mode 0600, like QEMU's).</summary>
    public static string MonitorSocket(ApplianceOptions appliance, string vm) =>
        Path.Combine(appliance.RuntimeDirectory, "emu", vm + ".qmp");
}
