using Appliance.Emu.Machine;
using static Appliance.Emu.Commands.ParamSpec;

namespace Appliance.Emu.Commands;

/// <summary>Run-state commands: stop, cont, system_reset, system_powerdown, system_wakeup, quit, watchdog-set-action.</summary>
internal static class RunStateCommands
{
    public static IEnumerable<CommandSpec> All =>
    [
        new("stop", [], c =>
        {
            c.Vm.Stop(RunStatus.Paused);
            return CommandResult.Empty;
        }),
        new("cont", [], c =>
        {
            if (c.Vm.NeedsReset) return CommandResult.Error("Resetting the Virtual Machine is required");
            if (c.Vm.Status == RunStatus.Suspended) return CommandResult.Empty;
            c.Vm.Start();
            return CommandResult.Empty;
        }),
        new("system_reset", [], c =>
        {
            c.Vm.Reset(guest: false, ShutdownReason.HostQmpSystemReset);
            return CommandResult.Empty;
        }),
        new("system_powerdown", [], c =>
        {
            c.Vm.Powerdown();
            return CommandResult.Empty;
        }),
        new("system_wakeup", [], c => c.Vm.Wakeup()
            ? CommandResult.Empty
            : CommandResult.Error("Unable to wake up: guest is not in suspended state")),
        new("quit", [], c =>
        {
            // QEMU 7.2 sends SHUTDOWN before the reply; the monitors close once the reply is out.
            c.Vm.Shutdown(guest: false, ShutdownReason.HostQmpQuit);
            return CommandResult.Empty;
        }),
        new("watchdog-set-action", [Enum("action", true, MachineActions.Watchdog.All)], c =>
        {
            c.Vm.WatchdogAction = c.Args.String("action");
            return CommandResult.Empty;
        }),
    ];
}
