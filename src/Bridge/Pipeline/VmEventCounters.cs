using System.Collections.Concurrent;

namespace Appliance.Bridge.Pipeline;

/// <summary>What changes with every event of a VM: how many there were, the last one, and how far the indicators have
/// applied them. Kept apart from <see cref="VmStatusBoard"/>'s slowly changing state and raising no notification, so
/// an event flood costs a few writes here and nothing downstream; readers take a <see cref="Get"/> when they publish.</summary>
public sealed class VmEventCounters
{
    private readonly ConcurrentDictionary<string, Counter> _vms = new(StringComparer.Ordinal);

    /// <summary>Counts an event of <paramref name="vm"/> (its monitor calls this for every event it publishes).</summary>
    public void Count(string vm, string eventName, DateTimeOffset at)
    {
        var counter = _vms.GetOrAdd(vm, static _ => new Counter());
        lock (counter)
        {
            counter.Events++;
            counter.LastEvent = eventName;
            counter.LastEventAt = at;
        }
    }

    /// <summary>Records that the indicators have applied the VM's events received up to <paramref name="receivedAt"/>
    /// (its alarms are latched), so a consumer can publish an event's state together with its alarm.</summary>
    public void MarkApplied(string vm, DateTimeOffset receivedAt)
    {
        var counter = _vms.GetOrAdd(vm, static _ => new Counter());
        lock (counter)
        {
            if (!(counter.AppliedThrough >= receivedAt)) counter.AppliedThrough = receivedAt;
        }
    }

    /// <summary>The counters of one VM now; all zero for a VM without events.</summary>
    public VmEventTally Get(string vm)
    {
        if (!_vms.TryGetValue(vm, out var counter)) return new VmEventTally(vm, 0, null, null, null);
        lock (counter) return new VmEventTally(vm, counter.Events, counter.LastEvent, counter.LastEventAt, counter.AppliedThrough);
    }

    /// <summary>Forgets a VM that went away for good.</summary>
    public void Remove(string vm) => _vms.TryRemove(vm, out _);

    private sealed class Counter
    {
        public long Events;
        public string? LastEvent;
        public DateTimeOffset? LastEventAt;
        public DateTimeOffset? AppliedThrough;
    }
}

/// <summary>The per-event counters of one VM at one moment.</summary>
/// <param name="Vm">The VM.</param>
/// <param name="Events">Events seen since the appliance started.</param>
/// <param name="LastEvent">The last event's name, if any.</param>
/// <param name="LastEventAt">When the last event arrived.</param>
/// <param name="AppliedThrough">Received time of the latest event the indicators have applied.</param>
public sealed record VmEventTally(string Vm, long Events, string? LastEvent, DateTimeOffset? LastEventAt, DateTimeOffset? AppliedThrough)
{
    /// <summary>Whether the indicators have applied the last event (or there is none).</summary>
    public bool Settled => LastEventAt is not { } at || AppliedThrough >= at;
}
