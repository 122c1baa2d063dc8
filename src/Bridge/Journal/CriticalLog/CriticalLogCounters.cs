namespace Appliance.Bridge.Journal.CriticalLog;

/// <summary>Live counters of the journal's critical log, safe to read from any thread.</summary>
public sealed class CriticalLogCounters
{
    private long _written;
    private long _skipped;
    private long _failed;
    private long _maxWriteTicks;

    /// <summary>Critical events written to the log (each durable from then on, before its journal commit).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Critical events not written because the log was full of events the journal had not made durable yet,
    /// the event was too large, its queue was full, or the log is off: they are durable with their journal commit.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Writes that failed (an I/O error); those events are durable with their journal commit.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The longest synced write so far.</summary>
    public TimeSpan MaxWriteLatency => TimeSpan.FromTicks(Interlocked.Read(ref _maxWriteTicks));

    internal void Wrote(TimeSpan latency)
    {
        Interlocked.Increment(ref _written);
        InterlockedMaximum.Raise(ref _maxWriteTicks, latency.Ticks);
    }

    internal void Skip() => Interlocked.Increment(ref _skipped);

    internal void Fail() => Interlocked.Increment(ref _failed);
}
