using System.Text.Json;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Status;

/// <summary>The <c>recent-events</c> section: the last few events of all VMs, for the dashboard.</summary>
/// <remarks>Fed by its own never-waiting hub subscription (<c>recent</c>), so a dashboard never slows the pipeline.</remarks>
internal sealed class RecentEventsSection(EventHub hub, int keep = 12) : BackgroundService, IStatusSection
{
    private readonly EventSubscription _subscription = hub.Subscribe("recent", EventDelivery.DropOldest, 256);
    private readonly Queue<VmEvent> _recent = new();

    public string Name => "recent-events";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in _subscription.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                lock (_recent)
                {
                    _recent.Enqueue(e);
                    while (_recent.Count > keep) _recent.Dequeue();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public void Write(Utf8JsonWriter w)
    {
        VmEvent[] events;
        lock (_recent) events = [.. _recent];
        w.WriteStartArray();
        foreach (var e in events)
        {
            w.WriteStartObject();
            w.WriteString("vm", e.Vm);
            w.WriteString("event", e.Event.Name);
            w.WriteString("received", e.Received);
            w.WriteBoolean("critical", e.IsCritical);
            if (e.Event.HasData)
            {
                // The event's data object as it came (the QMP parser checked it is JSON), not a string of JSON.
                w.WritePropertyName("data");
                w.WriteRawValue(e.Event.Data.Span, skipInputValidation: false);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
