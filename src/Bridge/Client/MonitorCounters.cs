namespace Appliance.Bridge.Client;

/// <summary>What went wrong or happened on one VM's monitor since the appliance started. Thread-safe.</summary>
public sealed class MonitorCounters
{
    private long _events;
    private long _malformedLines;
    private long _overlongLines;
    private long _unmatchedReplies;
    private long _connects;
    private long _connectFailures;
    private long _eventsLost;
    private long _backpressures;
    private long _stalls;

    /// <summary>QMP events read.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Lines that were not valid QMP messages and were skipped.</summary>
    public long MalformedLines => Interlocked.Read(ref _malformedLines);

    /// <summary>Lines longer than the limit (each costs a reconnect).</summary>
    public long OverlongLines => Interlocked.Read(ref _overlongLines);

    /// <summary>Replies whose <c>id</c> matched no command waiting for one.</summary>
    public long UnmatchedReplies => Interlocked.Read(ref _unmatchedReplies);

    /// <summary>Successful negotiations (first connect and every reconnect).</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Connection attempts that failed before the monitor was running.</summary>
    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Stall checks that went unanswered in time.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    /// <summary>Events dropped because the backlog was full while the journal pushed back (each loss is a gap marker).</summary>
    public long EventsLost => Interlocked.Read(ref _eventsLost);

    /// <summary>Times the monitor became <see cref="Pipeline.MonitorState.Backpressured"/>.</summary>
    public long Backpressures => Interlocked.Read(ref _backpressures);

    internal void CountEvent() => Interlocked.Increment(ref _events);
    internal void CountMalformedLine() => Interlocked.Increment(ref _malformedLines);
    internal void CountOverlongLine() => Interlocked.Increment(ref _overlongLines);
    internal void CountUnmatchedReply() => Interlocked.Increment(ref _unmatchedReplies);
    internal void CountConnect() => Interlocked.Increment(ref _connects);
    internal void CountConnectFailure() => Interlocked.Increment(ref _connectFailures);
    internal void CountStall() => Interlocked.Increment(ref _stalls);
    internal void CountLost(long events) => Interlocked.Add(ref _eventsLost, events);
    internal void CountBackpressure() => Interlocked.Increment(ref _backpressures);
}
