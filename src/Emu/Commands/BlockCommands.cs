using System.Text.Json;
using Appliance.Emu.Devices;
using Appliance.Emu.Machine;
using Appliance.Qmp.Messages;
using static Appliance.Emu.Commands.ParamSpec;

namespace Appliance.Emu.Commands;

/// <summary>Block device commands: query-block, eject, blockdev-open-tray, blockdev-close-tray.</summary>
internal static class BlockCommands
{
    private static readonly string[] ThrottleLimits = ["bps", "bps_rd", "bps_wr", "iops", "iops_rd", "iops_wr"];

    private static readonly ParamSpec[] TrayParams = [Opt("device", ParamType.String), Opt("id", ParamType.String), Opt("force", ParamType.Boolean)];

    public static IEnumerable<CommandSpec> All =>
    [
        new("query-block", [], c => CommandResult.Of(w => WriteBlocks(w, c.Vm))),
        new("eject", TrayParams, c => Tray(c, (vm, cd, force) => vm.Disks.OpenTray(cd, force, removeMedium: true))),
        new("blockdev-open-tray", TrayParams, c => Tray(c, (vm, cd, force) => vm.Disks.OpenTray(cd, force, removeMedium: false))),
        new("blockdev-close-tray", [Opt("device", ParamType.String), Opt("id", ParamType.String)], c => Tray(c, (vm, cd, _) =>
        {
            vm.Disks.CloseTray(cd);
            return null;
        })),
    ];

    /// <summary>Finds the drive a command names; the error result when it names none.</summary>
    public static BlockDevice? FindDrive(VirtualMachine vm, string name, out CommandResult error)
    {
        var disk = vm.Disks.Find(name);
        error = disk is null ? CommandResult.Error($"Cannot find device='{name}' nor node-name='{name}'") : default;
        return disk;
    }

    private static CommandResult Tray(CommandContext c, Func<VirtualMachine, BlockDevice, bool, string?> action)
    {
        string? device = c.Args.OptionalString("device"), id = c.Args.OptionalString("id");
        if (device is null == id is null) return CommandResult.Error("Need exactly one of 'device' and 'id'");
        var disk = c.Vm.Disks.Find(device ?? id);
        if (disk is null) return CommandResult.Error(QmpErrorClass.DeviceNotFound, $"Device '{device ?? id}' not found");
        if (!disk.Removable) return CommandResult.Error($"Device '{disk.Device}' is not removable");
        string? failure = action(c.Vm, disk, c.Args.Boolean("force"));
        return failure is null ? CommandResult.Empty : CommandResult.Error(failure);
    }

    private static void WriteBlocks(Utf8JsonWriter w, VirtualMachine vm) => JsonReplies.ObjectArray(w, vm.Disks.Devices, static (w, d) =>
    {
        w.WriteString("device", d.Device);
        w.WriteString("qdev", d.QdevId);
        w.WriteBoolean("locked", d.TrayLocked);
        w.WriteBoolean("removable", d.Removable);
        if (d.Removable) w.WriteBoolean("tray_open", d.TrayOpen);
        if (d.IoStatusEnabled) w.WriteString("io-status", d.IoStatus);
        if (!d.HasMedium) return;
        w.WriteStartObject("inserted");
        w.WriteString("file", d.File);
        w.WriteString("node-name", d.NodeName);
        w.WriteBoolean("ro", d.Removable || d.Corrupt);
        w.WriteString("drv", "qcow2");
        w.WriteBoolean("encrypted", false);
        foreach (var limit in ThrottleLimits) w.WriteNumber(limit, 0);
        w.WriteStartObject("image");
        w.WriteString("filename", d.File);
        w.WriteString("format", "qcow2");
        w.WriteNumber("virtual-size", d.Size);
        w.WriteEndObject();
        w.WriteEndObject();
    });
}
