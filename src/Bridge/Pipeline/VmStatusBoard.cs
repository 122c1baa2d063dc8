using System.Collections.Concurrent;

namespace Appliance.Bridge.Pipeline;

/// <summary>What is true now about each VM: monitor state, run status, latched alarms. Written by the monitors and
/// the indicators, read by the MQTT mirror, the status socket and the dashboard.</summary>
public sealed class VmStatusBoard
{
    private readonly ConcurrentDictionary<string, VmStatus> _vms = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates an empty board.</summary>
    public VmStatusBoard(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <summary>Raised after a VM's status changed, with the VM's name. Handlers must be quick and must not throw.</summary>
    public event Action<string>? Changed;

    /// <summary>All VMs known so far.</summary>
    public IReadOnlyCollection<VmStatus> All => [.. _vms.Values.OrderBy(v => v.Vm, StringComparer.Ordinal)];

    /// <summary>The status of one VM, if known.</summary>
    public VmStatus? Get(string vm) => _vms.TryGetValue(vm, out var s) ? s : null;

    /// <summary>Records a monitor connection state.</summary>
    public void SetMonitorState(string vm, MonitorState state) =>
        Update(vm, s => s with { Monitor = state, MonitorSince = _time.GetUtcNow() });

    /// <summary>Records the run status (QEMU's names: running, paused, shutdown, ...).</summary>
    public void SetRunStatus(string vm, string status) => Update(vm, s => s with { RunStatus = status });

    /// <summary>Records the last event seen.</summary>
    public void SetLastEvent(string vm, string eventName, DateTimeOffset at) =>
        Update(vm, s => s with { LastEvent = eventName, LastEventAt = at, EventCount = s.EventCount + 1 });

    /// <summary>Records that the indicators have applied the VM's events received up to <paramref name="receivedAt"/>
    /// (its alarms are latched), so a consumer can publish an event's state together with its alarm.</summary>
    public void MarkApplied(string vm, DateTimeOffset receivedAt)
    {
        if (Get(vm) is { } current && current.AppliedThrough >= receivedAt) return;
        Update(vm, s => s.AppliedThrough >= receivedAt ? s : s with { AppliedThrough = receivedAt });
    }

    /// <summary>Replaces the set of latched alarms (event names) for a VM.</summary>
    public void SetAlarms(string vm, IReadOnlyList<string> alarms) => Update(vm, s => s with { Alarms = alarms });

    /// <summary>Forgets a VM whose monitor went away for good (for example a socket removed from a watched glob).</summary>
    public void Remove(string vm)
    {
        if (_vms.TryRemove(vm, out _)) Changed?.Invoke(vm);
    }

    private void Update(string vm, Func<VmStatus, VmStatus> change)
    {
        _vms.AddOrUpdate(vm, name => change(new VmStatus(name)), (_, old) => change(old));
        Changed?.Invoke(vm);
    }
}

/// <summary>A snapshot of one VM's status.</summary>
/// <param name="Vm">The VM's configured name.</param>
public sealed record VmStatus(string Vm)
{
    /// <summary>The monitor connection state.</summary>
    public MonitorState Monitor { get; init; } = MonitorState.Idle;
    /// <summary>Since when the monitor has been in <see cref="Monitor"/>.</summary>
    public DateTimeOffset MonitorSince { get; init; }
    /// <summary>QEMU's run status name, or <c>unknown</c> before the first snapshot.</summary>
    public string RunStatus { get; init; } = "unknown";
    /// <summary>The last event's name, if any.</summary>
    public string? LastEvent { get; init; }
    /// <summary>When the last event arrived.</summary>
    public DateTimeOffset? LastEventAt { get; init; }
    /// <summary>Events seen since the appliance started.</summary>
    public long EventCount { get; init; }
    /// <summary>Received time of the latest event the indicators have applied (<see cref="VmStatusBoard.MarkApplied"/>).</summary>
    public DateTimeOffset? AppliedThrough { get; init; }
    /// <summary>Latched alarms (event names) awaiting acknowledgement.</summary>
    public IReadOnlyList<string> Alarms { get; init; } = [];
}
