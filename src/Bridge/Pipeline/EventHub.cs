using System.Threading.Channels;

namespace Appliance.Bridge.Pipeline;

/// <summary>Fans every <see cref="VmEvent"/> out to independent subscribers, each with its own bounded queue,
/// so a slow sink never blocks another.</summary>
/// <remarks>Never-waiting subscribers (indicators, dashboard) are served first and drop their oldest entry when
/// full; lossless subscribers (the journal) are served after them and make the publisher wait when full, which
/// pushes back on the monitor socket instead of growing memory. Hence the GPIO path never waits on the journal.</remarks>
public sealed class EventHub
{
    private readonly object _gate = new();
    private EventSubscription[] _immediate = [];
    private EventSubscription[] _lossless = [];

    /// <summary>Adds a subscriber.</summary>
    /// <param name="name">For diagnostics, for example <c>journal</c>.</param>
    /// <param name="delivery">Whether the publisher may wait for this subscriber.</param>
    /// <param name="capacity">Queue length.</param>
    /// <param name="accepts">Which events the subscriber wants; null for all.</param>
    /// <param name="wakeOnPublish">For a <see cref="EventDelivery.DropOldest"/> reader blocked on a thread of its own:
    /// the publisher wakes it directly instead of through the thread pool, which a busy box may not run for a millisecond.</param>
    public EventSubscription Subscribe(string name, EventDelivery delivery, int capacity = 8192, Func<VmEvent, bool>? accepts = null,
        bool wakeOnPublish = false)
    {
        // A lossless publisher waits for room, and its continuation would then run on the reader's thread.
        if (wakeOnPublish && delivery == EventDelivery.Lossless)
            throw new ArgumentException("Only a drop-oldest subscription can be woken on publish.", nameof(wakeOnPublish));
        var sub = new EventSubscription(name, delivery, capacity, accepts, wakeOnPublish);
        lock (_gate)
        {
            if (delivery == EventDelivery.Lossless) _lossless = [.. _lossless, sub];
            else _immediate = [.. _immediate, sub];
        }
        return sub;
    }

    /// <summary>Delivers an event to every subscriber.</summary>
    public async ValueTask PublishAsync(VmEvent vmEvent, CancellationToken cancellationToken = default)
    {
        foreach (var sub in Volatile.Read(ref _immediate))
        {
            if (sub.Accepts(vmEvent)) sub.Offer(vmEvent);
        }
        foreach (var sub in Volatile.Read(ref _lossless))
        {
            if (sub.Accepts(vmEvent)) await sub.WriteAsync(vmEvent, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes every subscriber's queue: readers drain what is queued and then end.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            foreach (var sub in _immediate.Concat(_lossless)) sub.Complete();
        }
    }
}

/// <summary>How <see cref="EventHub"/> treats a subscriber whose queue is full.</summary>
public enum EventDelivery
{
    /// <summary>Never wait: drop the oldest queued event and count it.</summary>
    DropOldest,
    /// <summary>Never drop: the publisher waits for room.</summary>
    Lossless,
}

/// <summary>One subscriber's queue in an <see cref="EventHub"/>.</summary>
public sealed class EventSubscription
{
    private readonly Channel<VmEvent> _channel;
    private readonly Func<VmEvent, bool>? _accepts;
    private long _dropped;
    private long _criticalQueued;

    internal EventSubscription(string name, EventDelivery delivery, int capacity, Func<VmEvent, bool>? accepts = null, bool wakeOnPublish = false)
    {
        _accepts = accepts;
        Name = name;
        Delivery = delivery;
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = delivery == EventDelivery.Lossless ? BoundedChannelFullMode.Wait : BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            AllowSynchronousContinuations = wakeOnPublish,
        };
        _channel = Channel.CreateBounded<VmEvent>(options, _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>The subscriber's name.</summary>
    public string Name { get; }

    /// <summary>The delivery mode.</summary>
    public EventDelivery Delivery { get; }

    /// <summary>The events, in publish order.</summary>
    public ChannelReader<VmEvent> Reader => _channel.Reader;

    /// <summary>Events dropped because this subscriber fell behind (always 0 for lossless subscribers).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Critical events published to this lossless subscriber and not yet taken with <see cref="CriticalTaken"/>
    /// (0 for drop-oldest subscribers), so a reader can tell a critical event waits somewhere in its queue.</summary>
    /// <remarks>Raised before the event is queued: for a moment it may count an event the reader cannot read yet.</remarks>
    public long CriticalQueued => Interlocked.Read(ref _criticalQueued);

    /// <summary>Tells the subscription its reader has taken a critical event out of the queue.</summary>
    public void CriticalTaken() => Interlocked.Decrement(ref _criticalQueued);

    internal bool Accepts(VmEvent vmEvent) => _accepts?.Invoke(vmEvent) ?? true;

    internal void Offer(VmEvent vmEvent) => _channel.Writer.TryWrite(vmEvent);

    internal ValueTask WriteAsync(VmEvent vmEvent, CancellationToken cancellationToken)
    {
        if (!vmEvent.IsCritical) return _channel.Writer.WriteAsync(vmEvent, cancellationToken);
        Interlocked.Increment(ref _criticalQueued);
        var write = _channel.Writer.WriteAsync(vmEvent, cancellationToken);
        return write.IsCompletedSuccessfully ? write : AwaitCriticalWriteAsync(write);
    }

    // A write cancelled while waiting for room, or refused by a completed queue, queued nothing.
    private async ValueTask AwaitCriticalWriteAsync(ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _criticalQueued);
            throw;
        }
    }

    internal void Complete() => _channel.Writer.TryComplete();
}
