using System.Collections.Concurrent;

namespace Appliance.Bridge.Pipeline;

/// <summary>What is true now about each VM, the slowly changing part: monitor state, run status, latched alarms.
/// Written by the monitors and the indicators, read by the MQTT mirror, the status socket and the dashboard;
/// <see cref="Changed"/> is raised only when one of these actually changes. What changes with every event lives in
/// <see cref="Events"/>, which raises nothing.</summary>
public sealed class VmStatusBoard
{
    private readonly ConcurrentDictionary<string, VmStatus> _vms = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates an empty board.</summary>
    public VmStatusBoard(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <summary>Raised after a VM's status changed, with the VM's name. Handlers must be quick and must not throw.</summary>
    public event Action<string>? Changed;

    /// <summary>The per-event counters of every VM (no notification).</summary>
    public VmEventCounters Events { get; } = new();

    /// <summary>All VMs known so far.</summary>
    public IReadOnlyCollection<VmStatus> All => [.. _vms.Values.OrderBy(v => v.Vm, StringComparer.Ordinal)];

    /// <summary>The status of one VM, if known.</summary>
    public VmStatus? Get(string vm) => _vms.TryGetValue(vm, out var s) ? s : null;

    /// <summary>Records a monitor connection state.</summary>
    public void SetMonitorState(string vm, MonitorState state) =>
        Update(vm, s => s.Monitor == state ? s : s with { Monitor = state, MonitorSince = _time.GetUtcNow() });

    /// <summary>Records the run status (QEMU's names: running, paused, shutdown, ...).</summary>
    public void SetRunStatus(string vm, string status) => Update(vm, s => s.RunStatus == status ? s : s with { RunStatus = status });

    /// <summary>Replaces the set of latched alarms (event names) for a VM.</summary>
    public void SetAlarms(string vm, IReadOnlyList<string> alarms) =>
        Update(vm, s => s.Alarms.SequenceEqual(alarms, StringComparer.Ordinal) ? s : s with { Alarms = alarms });

    /// <summary>Forgets a VM whose monitor went away for good (for example a socket removed from a watched glob).</summary>
    public void Remove(string vm)
    {
        Events.Remove(vm);
        if (_vms.TryRemove(vm, out _)) Changed?.Invoke(vm);
    }

    // A change that leaves the status as it was (the same record back) raises nothing; a VM seen the first time does.
    private void Update(string vm, Func<VmStatus, VmStatus> change)
    {
        bool changed = false;
        _vms.AddOrUpdate(vm, name =>
        {
            changed = true;
            return change(new VmStatus(name));
        }, (_, old) =>
        {
            var updated = change(old);
            changed = !ReferenceEquals(updated, old);
            return updated;
        });
        if (changed) Changed?.Invoke(vm);
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
    /// <summary>Latched alarms (event names) awaiting acknowledgement.</summary>
    public IReadOnlyList<string> Alarms { get; init; } = [];
}
