using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Metrics;

/// <summary>Counts events by VM and type (and critical ones by VM) for <c>/metrics</c>, from a never-waiting hub
/// subscription: metrics never slow the pipeline. Bounded: past <see cref="MaxSeries"/> pairs new ones count as
/// overflow.</summary>
internal sealed class EventTally(EventHub hub) : BackgroundService
{
    private readonly EventSubscription _subscription = hub.Subscribe("metrics", EventDelivery.DropOldest, 4096);

    /// <summary>Most (VM, event) pairs kept; QEMU has about a hundred event types.</summary>
    public const int MaxSeries = 4096;

    private readonly Dictionary<(string Vm, string Event), long> _events = [];
    private readonly Dictionary<string, long> _critical = new(StringComparer.Ordinal);
    private long _overflow;

    /// <summary>Events this tally missed because its queue was full.</summary>
    public long Dropped => _subscription.Dropped;

    /// <summary>Events not counted by type because <see cref="MaxSeries"/> pairs exist already.</summary>
    public long Overflow => Interlocked.Read(ref _overflow);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in _subscription.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false)) Count(e);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Counts one event.</summary>
    public void Count(VmEvent e)
    {
        lock (_events)
        {
            var key = (e.Vm, e.Event.Name);
            if (_events.TryGetValue(key, out long n)) _events[key] = n + 1;
            else if (_events.Count < MaxSeries) _events[key] = 1;
            else _overflow++;
            if (e.IsCritical) _critical[e.Vm] = _critical.GetValueOrDefault(e.Vm) + 1;
        }
    }

    /// <summary>A copy of the counts by (VM, event), ordered.</summary>
    public IReadOnlyList<KeyValuePair<(string Vm, string Event), long>> Events()
    {
        lock (_events) return [.. _events.OrderBy(p => p.Key.Vm, StringComparer.Ordinal).ThenBy(p => p.Key.Event, StringComparer.Ordinal)];
    }

    /// <summary>A copy of the critical counts by VM, ordered.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Critical()
    {
        lock (_events) return [.. _critical.OrderBy(p => p.Key, StringComparer.Ordinal)];
    }
}
