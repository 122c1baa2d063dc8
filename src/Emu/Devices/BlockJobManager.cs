using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary>Block jobs progressing in 100 ms slices at their <c>speed</c> (or an unthrottled default), one timer for
/// all jobs and none while there are no jobs. Every change of a job's state is announced with JOB_STATUS_CHANGE in
/// QEMU's order (qapi/job.json, QEMU 3.0+; jobs auto-finalize and auto-dismiss): created, running, [paused|ready|standby],
/// then waiting, pending, BLOCK_JOB_COMPLETED, concluded, null on success, or aborting, BLOCK_JOB_CANCELLED (or
/// BLOCK_JOB_COMPLETED with its error), concluded, null otherwise.</summary>
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
        Announce(job, "created");
        Announce(job, "running");
        _ticker ??= vm.Clock.Every(Slice, Tick);
    }

    /// <summary>block-job-pause, or an error under on-error=stop: paused, or standby for a job that was ready.</summary>
    public void Pause(BlockJob job)
    {
        job.Paused = true;
        Announce(job, job.Status);
    }

    /// <summary>block-job-resume: back to running, or to ready.</summary>
    public void Resume(BlockJob job)
    {
        job.Paused = false;
        job.IoStatus = "ok";
        Announce(job, job.Status);
    }

    /// <summary>Cancel: a mirror that reached ready completes (its target is consistent); others are cancelled.</summary>
    public void Cancel(BlockJob job)
    {
        if (job.Ready) Finish(job, error: null);
        else Abort(job, () => vm.Events.Emit(QmpEventNames.BlockJobCancelled,
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
                Announce(job, "ready");
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
                job.IoStatus = "failed";
                Pause(job);
                return false;
            case "report":
                Abort(job, () => EmitCompleted(job, BlockLayer.IoErrorText));
                return false;
            default:
                return true;
        }
    }

    private void Finish(BlockJob job, string? error)
    {
        Announce(job, "waiting");
        Announce(job, "pending");
        End(job, () => EmitCompleted(job, error));
    }

    private void Abort(BlockJob job, Action emit)
    {
        Announce(job, "aborting");
        End(job, emit);
    }

    private void EmitCompleted(BlockJob job, string? error) => vm.Events.Emit(QmpEventNames.BlockJobCompleted,
        new BlockJobCompletedEvent(job.Type, job.Id, job.Len, job.Offset, job.Speed, error));

    private void Announce(BlockJob job, string status) =>
        vm.Events.Emit(QmpEventNames.JobStatusChange, new JobStatusChangeEvent(job.Id, status));

    private void End(BlockJob job, Action emit)
    {
        Jobs.Remove(job);
        job.Disk.BusyWith = null;
        emit();
        Announce(job, "concluded");
        Announce(job, "null");
        if (Jobs.Count > 0) return;
        _ticker?.Cancel();
        _ticker = null;
    }
}
