namespace Appliance.Emu.Devices;

/// <summary>One emulated drive: its backend name, node name, qdev id, error policies and I/O state.</summary>
internal sealed class BlockDevice(string device, string nodeName, string qdevId, string rerror, string werror, bool removable = false)
{
    public string Device { get; } = device;
    public string NodeName { get; } = nodeName;
    public string QdevId { get; } = qdevId;

    /// <summary>The guest device's QOM path, as QEMU 9.1+ reports it in BLOCK_IO_ERROR.</summary>
    public string QomPath => $"/machine/peripheral/{QdevId}";
    public string Rerror { get; } = rerror;
    public string Werror { get; } = werror;
    public bool Removable { get; } = removable;
    public long Size { get; } = 1L << 30;
    public string File => $"/var/lib/emu/{NodeName}.qcow2";

    /// <summary>I/O keeps failing until the guest model's disk recovers.</summary>
    public bool Failing { get; set; }
    public bool FailingWithNoSpace { get; set; }

    /// <summary>A request the VM stopped on (rerror/werror stop), retried by <c>cont</c>.</summary>
    public string? StoppedOperation { get; set; }
    public string IoStatus { get; set; } = "ok";

    /// <summary>io-status is reported when an error policy can stop the VM (blk_iostatus_is_enabled).</summary>
    public bool IoStatusEnabled => Rerror is "stop" or "enospc" || Werror is "stop" or "enospc";

    public bool TrayOpen { get; set; }
    public bool TrayLocked { get; set; }
    public bool HasMedium { get; set; } = true;
    public bool Corrupt { get; set; }

    /// <summary>The block job using this device, if any.</summary>
    public string? BusyWith { get; set; }

    /// <summary>The BlockErrorAction for a failed request under this device's policy.</summary>
    public string ActionFor(string operation, bool noSpace)
    {
        string policy = operation == "read" ? Rerror : Werror;
        return policy switch
        {
            "enospc" => noSpace ? "stop" : "report",
            _ => policy,
        };
    }
}

/// <summary>A quorum node of N children, needing <see cref="Threshold"/> good children for a result.</summary>
internal sealed class QuorumNode(string nodeName, int children, int threshold)
{
    public string NodeName { get; } = nodeName;
    public int Threshold { get; } = threshold;
    public string[] Children { get; } = [.. Enumerable.Range(0, children).Select(i => $"{nodeName}-child{i}")];
    public HashSet<string> FailingChildren { get; } = new(StringComparer.Ordinal);
}
