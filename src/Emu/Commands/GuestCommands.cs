using Appliance.Emu.Machine;
using static Appliance.Emu.Commands.ParamSpec;

namespace Appliance.Emu.Commands;

/// <summary>Vendor extensions (<c>x-</c>) that simulate what the guest or a display client does; the machine then reacts
/// as QEMU would. Scenario steps use the same commands.</summary>
internal static class GuestCommands
{
    /// <summary>Most events one x-load may ask for.</summary>
    public const long MaxLoadEvents = 100_000_000;

    public static IEnumerable<CommandSpec> All =>
    [
        Guest("x-guest-panic", [], c => c.Vm.Guest.Panic()),
        Guest("x-guest-hang", [], c => c.Vm.Guest.Hang()),
        Guest("x-guest-poweroff", [], c => c.Vm.Guest.PowerOff()),
        Guest("x-guest-reboot", [], c => c.Vm.Guest.Reboot()),
        Guest("x-guest-pvpanic-shutdown", [], c => c.Vm.Guest.PvpanicShutdown()),
        Guest("x-guest-suspend", [], c => c.Vm.Guest.SuspendToRam()),
        Guest("x-guest-hibernate", [], c => c.Vm.Guest.SuspendToDisk()),
        Guest("x-guest-set-rtc", [Req("offset", ParamType.Integer)], c => c.Vm.Guest.SetRtc(c.Args.Integer("offset"))),
        Guest("x-guest-serial-port", [Req("id", ParamType.String), Req("open", ParamType.Boolean)],
            c => c.Vm.Guest.SetSerialPort(c.Args.String("id"), c.Args.Boolean("open"))),
        Guest("x-guest-rx-filter", [], c => c.Vm.Nics.GuestChangesFilter()),
        Guest("x-guest-acpi", [Req("aware", ParamType.Boolean)], c => c.Vm.Guest.AcpiAware = c.Args.Boolean("aware")),
        Guest("x-guest-memory-unplug", [Req("refuse", ParamType.Boolean)], c => c.Vm.Guest.RefusesMemoryUnplug = c.Args.Boolean("refuse")),
        new("x-guest-watchdog", [Req("timeout", ParamType.Integer)], c =>
        {
            long seconds = c.Args.Integer("timeout");
            if (seconds < 0) return CommandResult.Error("Parameter 'timeout' expects a non-negative number of seconds");
            if (seconds == 0) c.Vm.Watchdog.Disarm();
            else c.Vm.Watchdog.Arm(TimeSpan.FromSeconds(seconds));
            return CommandResult.Empty;
        }),
        new("x-guest-disk-error", [Req("device", ParamType.String), Enum("operation", false, "read", "write"),
            Opt("nospace", ParamType.Boolean), Opt("persistent", ParamType.Boolean)], c => WithDisk(c, disk =>
        {
            bool noSpace = c.Args.Boolean("nospace");
            disk.Failing = c.Args.Boolean("persistent");
            disk.FailingWithNoSpace = noSpace;
            if (c.Vm.IsRunning) c.Vm.Disks.GuestIoError(disk, c.Args.OptionalString("operation") ?? "write", noSpace);
        })),
        new("x-guest-disk-fail", [Req("device", ParamType.String), Req("failing", ParamType.Boolean)], c => WithDisk(c, disk =>
        {
            disk.Failing = c.Args.Boolean("failing");
            disk.FailingWithNoSpace = false;
        })),
        new("x-guest-image-corrupt", [Req("device", ParamType.String), Opt("fatal", ParamType.Boolean)],
            c => WithDisk(c, disk => c.Vm.Disks.ImageCorrupted(disk, c.Args.Boolean("fatal", true)))),
        new("x-guest-tray-lock", [Req("device", ParamType.String), Req("locked", ParamType.Boolean)],
            c => WithDisk(c, disk => disk.TrayLocked = c.Args.Boolean("locked"))),
        new("x-guest-quorum-child", [Req("child", ParamType.String), Req("failing", ParamType.Boolean)], c =>
        {
            string child = c.Args.String("child");
            if (!c.Vm.Disks.Quorum.Children.Contains(child)) return CommandResult.Error($"Quorum child '{child}' not found");
            if (c.Args.Boolean("failing")) c.Vm.Disks.QuorumChildFails(child);
            else c.Vm.Disks.QuorumChildRecovers(child);
            return CommandResult.Empty;
        }),
        new("x-spice-connect", [], c => c.Vm.Spice.Connect()
            ? CommandResult.Empty
            : CommandResult.Error($"At most {Devices.SpiceModel.MaxClients} SPICE clients can be connected")),
        new("x-spice-disconnect", [], c => c.Vm.Spice.Disconnect() ? CommandResult.Empty : CommandResult.Error("No SPICE client is connected")),
        new("x-load", [Req("count", ParamType.Integer)], c =>
        {
            long count = c.Args.Integer("count");
            if (count is < 1 or > MaxLoadEvents) return CommandResult.Error($"Parameter 'count' expects 1 to {MaxLoadEvents}");
            return new CommandResult(null, null, null, LoadCount: count);
        }),
    ];

    private static CommandSpec Guest(string name, ParamSpec[] parameters, Action<CommandContext> action) => new(name, parameters, c =>
    {
        action(c);
        return CommandResult.Empty;
    });

    private static CommandResult WithDisk(CommandContext c, Action<Devices.BlockDevice> action)
    {
        var disk = BlockCommands.FindDrive(c.Vm, c.Args.String("device"), out var notFound);
        if (disk is null) return notFound;
        action(disk);
        return CommandResult.Empty;
    }
}
