namespace Appliance.Emu.Devices;

/// <summary>One running block job (stream, commit or mirror). <see cref="Id"/> is what every BLOCK_JOB_* event calls <c>device</c>.</summary>
internal sealed class BlockJob(string id, string type, BlockDevice disk, long speed, string onError)
{
    public string Id { get; } = id;
    public string Type { get; } = type;
    public BlockDevice Disk { get; } = disk;
    public string OnError { get; } = onError;
    public long Len { get; } = disk.Size;
    public long Offset { get; set; }
    public long Speed { get; set; } = speed;
    public bool Paused { get; set; }
    public bool Ready { get; set; }
    public string IoStatus { get; set; } = "ok";

    private long _carry;

    /// <summary>Moves the job on by one 100 ms slice at <paramref name="rate"/> bytes/s, carrying remainders so ten
    /// slices make exactly one second's worth.</summary>
    public void AdvanceOneSlice(long rate)
    {
        _carry += rate;
        long step = _carry / 10;
        _carry -= step * 10;
        Offset = Math.Min(Len, Offset + step);
    }

    /// <summary>QEMU's JobStatus name for query-block-jobs.</summary>
    public string Status => Paused ? (Ready ? "standby" : "paused") : Ready ? "ready" : "running";

    /// <summary>A mirror or active commit waits in ready state for block-job-complete.</summary>
    public bool WaitsForCompletion => Type == "mirror";

    /// <summary>BLOCK_JOB_ERROR's operation: a mirror fails writing its target, the others fail reading.</summary>
    public string FailingOperation => Type == "mirror" ? "write" : "read";
}
