using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary>The machine's drives: guest I/O errors under rerror/werror, image corruption, the CD-ROM tray, a quorum.</summary>
internal sealed class BlockLayer(VirtualMachine vm)
{
    public const string IoErrorText = "Input/output error";
    public const string NoSpaceText = "No space left on device";

    public List<BlockDevice> Devices { get; } =
    [
        new("drive0", "disk0", "disk0", rerror: "stop", werror: "stop"),
        new("drive1", "disk1", "disk1", rerror: "report", werror: "enospc"),
        new("drive2", "disk2", "disk2", rerror: "ignore", werror: "ignore"),
        new("ide1-cd0", "cd0-medium", "cd0", rerror: "report", werror: "report", removable: true),
    ];

    public QuorumNode Quorum { get; } = new("quorum0", children: 3, threshold: 2);

    /// <summary>Finds a drive by backend name, node name or qdev id.</summary>
    public BlockDevice? Find(string? name) =>
        name is null ? null : Devices.Find(d => d.Device == name || d.NodeName == name || d.QdevId == name);

    /// <summary>A guest request failed: BLOCK_IO_ERROR with the policy's action; action stop then stops the VM (io-error).</summary>
    public void GuestIoError(BlockDevice disk, string operation, bool noSpace)
    {
        string action = disk.ActionFor(operation, noSpace);
        vm.Events.Emit(QmpEventNames.BlockIoError, new BlockIoErrorEvent(
            disk.Device, operation, action, disk.NodeName, noSpace, noSpace ? NoSpaceText : IoErrorText, disk.QomPath));
        if (action != "stop") return;
        disk.StoppedOperation = operation;
        disk.IoStatus = noSpace ? "nospace" : "failed";
        vm.Stop(RunStatus.IoError);
    }

    /// <summary>After <c>cont</c>: requests the VM stopped on are retried, and fail again while the disk still fails.</summary>
    public void RetryStoppedRequests()
    {
        foreach (var disk in Devices)
        {
            if (disk.StoppedOperation is not { } operation) continue;
            disk.StoppedOperation = null;
            disk.IoStatus = "ok";
            if (disk.Failing && vm.IsRunning) GuestIoError(disk, operation, disk.FailingWithNoSpace);
        }
    }

    /// <summary>qcow2 found corrupt metadata: BLOCK_IMAGE_CORRUPTED; a fatal one marks the image corrupt.</summary>
    public void ImageCorrupted(BlockDevice disk, bool fatal)
    {
        vm.Events.Emit(QmpEventNames.BlockImageCorrupted, new BlockImageCorruptedEvent(
            disk.Device,
            "Preventing invalid write on metadata (overlaps with active L1 table)",
            disk.NodeName, Offset: 0x30000, Size: 512, Fatal: fatal));
        if (fatal) disk.Corrupt = true;
    }

    /// <summary>A quorum child fails; the next guest read reports each bad child and, without quorum, a failure.</summary>
    public void QuorumChildFails(string child)
    {
        Quorum.FailingChildren.Add(child);
        QuorumRead();
    }

    public void QuorumChildRecovers(string child) => Quorum.FailingChildren.Remove(child);

    private void QuorumRead()
    {
        const long sector = 2048, count = 8;
        foreach (var bad in Quorum.FailingChildren.Order(StringComparer.Ordinal))
        {
            vm.Events.EmitThrottled(QmpEventNames.QuorumReportBad, bad,
                new QuorumReportBadEvent("read", bad, sector, count, IoErrorText));
        }
        if (Quorum.Children.Length - Quorum.FailingChildren.Count < Quorum.Threshold)
        {
            vm.Events.EmitThrottled(QmpEventNames.QuorumFailure, "", new QuorumFailureEvent(Quorum.NodeName, sector, count));
        }
    }

    /// <summary>Opens a tray (eject or blockdev-open-tray). Null on success, else the QEMU error text.</summary>
    public string? OpenTray(BlockDevice cd, bool force, bool removeMedium)
    {
        if (cd.TrayLocked && !force)
        {
            // The guest gets an eject request and, if it agrees, unlocks and opens the tray itself.
            vm.Guest.React(() =>
            {
                cd.TrayLocked = false;
                MoveTray(cd, open: true);
            });
            return $"Device '{cd.Device}' is locked and force was not specified, wait for tray to open and try again";
        }
        cd.TrayLocked = false;
        MoveTray(cd, open: true);
        if (removeMedium) cd.HasMedium = false;
        return null;
    }

    public void CloseTray(BlockDevice cd) => MoveTray(cd, open: false);

    private void MoveTray(BlockDevice cd, bool open)
    {
        if (cd.TrayOpen == open) return;
        cd.TrayOpen = open;
        vm.Events.Emit(QmpEventNames.DeviceTrayMoved, new DeviceTrayMovedEvent(cd.Device, open, cd.QdevId));
    }
}
