using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary>Block jobs progressing in 100 ms slices at their <c>speed</c> (or an unthrottled default), one timer for
/// all jobs and none while there are no jobs.</summary>
internal sealed class BlockJobManager(VirtualMachine vm)
{
    public static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(100);

    /// <summary>Bytes per second when <c>speed</c> is 0 (unlimited).</summary>
    public const long UnlimitedRate = 512L << 20;

    private MachineClock.ScheduledAction? _ticker;

    public List<BlockJob> Jobs { get; } = [];

    public BlockJob? Find(string id) => Jobs.Find(j => j.Id == id);

    public void Add(BlockJob job)
    {
        Jobs.Add(job);
        job.Disk.BusyWith = job.Type;
        _ticker ??= vm.Clock.Every(Slice, Tick);
    }

    /// <summary>Cancel: a mirror that reached ready completes (its target is consistent); others are cancelled.</summary>
    public void Cancel(BlockJob job)
    {
        if (job.Ready) Finish(job, error: null);
        else End(job, () => vm.Events.Emit(QmpEventNames.BlockJobCancelled,
            new BlockJobCancelledEvent(job.Type, job.Id, job.Len, job.Offset, job.Speed)));
    }

    public void Complete(BlockJob job) => Finish(job, error: null);

    private void Tick()
    {
        foreach (var job in Jobs.ToArray())
        {
            if (job.Paused) continue;
            if (job.Disk.Failing && !HandleError(job)) continue;
            if (job.Ready) continue;
            long rate = job.Speed > 0 ? job.Speed : UnlimitedRate;
            job.AdvanceOneSlice(rate);
            if (job.Offset < job.Len) continue;
            if (job.WaitsForCompletion)
            {
                job.Ready = true;
                vm.Events.Emit(QmpEventNames.BlockJobReady, new BlockJobReadyEvent(job.Type, job.Id, job.Len, job.Offset, job.Speed));
            }
            else
            {
                Finish(job, error: null);
            }
        }
    }

    /// <summary>The job's I/O failed: BLOCK_JOB_ERROR under its on-error policy. Returns true when the job carries on.</summary>
    private bool HandleError(BlockJob job)
    {
        string action = job.OnError switch
        {
            "stop" => "stop",
            "ignore" => "ignore",
            _ => "report",
        };
        vm.Events.Emit(QmpEventNames.BlockJobError, new BlockJobErrorEvent(job.Id, job.FailingOperation, action));
        switch (action)
        {
            case "stop":
                job.Paused = true;
                job.IoStatus = "failed";
                return false;
            case "report":
                Finish(job, BlockLayer.IoErrorText);
                return false;
            default:
                return true;
        }
    }

    private void Finish(BlockJob job, string? error) => End(job, () => vm.Events.Emit(QmpEventNames.BlockJobCompleted,
        new BlockJobCompletedEvent(job.Type, job.Id, job.Len, job.Offset, job.Speed, error)));

    private void End(BlockJob job, Action emit)
    {
        Jobs.Remove(job);
        job.Disk.BusyWith = null;
        emit();
        if (Jobs.Count > 0) return;
        _ticker?.Cancel();
        _ticker = null;
    }
}
