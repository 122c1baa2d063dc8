namespace Appliance.Qmp.Events;

/// <summary>BLOCK_JOB_COMPLETED: a block job finished; <c>device</c> is the job ID (QEMU 2.7+), <c>error</c> set on failure.</summary>
public sealed record BlockJobCompletedEvent(string Type, string Device, long Len, long Offset, long Speed, string? Error = null) : QmpEventData;

/// <summary>BLOCK_JOB_CANCELLED: a block job was cancelled; <c>device</c> is the job ID.</summary>
public sealed record BlockJobCancelledEvent(string Type, string Device, long Len, long Offset, long Speed) : QmpEventData;

/// <summary>BLOCK_JOB_READY: a job (mirror, active commit) is ready to complete; <c>device</c> is the job ID.</summary>
public sealed record BlockJobReadyEvent(string Type, string Device, long Len, long Offset, long Speed) : QmpEventData;

/// <summary>JOB_STATUS_CHANGE (QEMU 3.0+, qapi/job.json): job <c>id</c> entered <c>status</c> (created, running, paused,
/// ready, standby, waiting, pending, aborting, concluded, undefined, null).</summary>
public sealed record JobStatusChangeEvent(string Id, string Status) : QmpEventData;

/// <summary>BLOCK_JOB_ERROR: a block job hit an I/O error; <c>action</c> is ignore, report or stop.</summary>
public sealed record BlockJobErrorEvent(string Device, string Operation, string Action) : QmpEventData;
