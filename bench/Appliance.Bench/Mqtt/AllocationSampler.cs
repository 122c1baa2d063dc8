using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Appliance.Bench.Mqtt;

/// <summary>Which types the process allocates, from the runtime's allocation ticks (one event per ~100 KB allocated,
/// naming the type that crossed the mark): a sampled breakdown of where the bytes go. The flood child turns it on
/// when <c>BENCH_ALLOCATION_TYPES=1</c> and prints the top types on stderr.</summary>
internal sealed class AllocationSampler : EventListener
{
    private const long GcKeyword = 0x1;
    private readonly ConcurrentDictionary<string, long> _bytes = new();

    /// <summary>Sampling is on for the events of this process from now on.</summary>
    public bool Enabled { get; set; }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Enabled || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal)) return;
        int type = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        int amount = eventData.PayloadNames?.IndexOf("AllocationAmount64") ?? -1;
        if (type < 0 || amount < 0) return;
        string name = eventData.Payload![type] as string ?? "?";
        long bytes = Convert.ToInt64(eventData.Payload[amount], CultureInfo.InvariantCulture);
        _bytes.AddOrUpdate(name, bytes, (_, b) => b + bytes);
    }

    /// <summary>The top types by sampled bytes, one per line, with their share of <paramref name="events"/>.</summary>
    public string Report(int events, int top = 25) =>
        string.Join('\n', _bytes.OrderByDescending(p => p.Value).Take(top)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Value / (double)events,8:F0} B/event  {p.Key}")));
}
