namespace Appliance.Qmp.Replies;

/// <summary>The return of <c>query-status</c>: <c>status</c> is the run state (running, paused, shutdown, io-error,
/// ...); <c>running</c> is true while the guest's CPUs run. QEMU 8.1 deprecated <c>singlestep</c>.</summary>
public sealed record StatusInfo(string Status, bool? Running = null, bool? Singlestep = null);

/// <summary>The return of <c>query-name</c>: <c>name</c> is present when QEMU was started with <c>-name</c>.</summary>
public sealed record NameInfo(string? Name = null);

/// <summary>One entry of the <c>query-commands</c> return.</summary>
public sealed record CommandInfo(string Name);
