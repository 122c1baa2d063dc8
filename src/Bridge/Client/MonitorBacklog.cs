using System.Threading.Channels;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Client;

/// <summary>The events of one monitor connection between its reader and the hub. The reader never waits on it, so the
/// socket keeps being read (replies, and so the stall check, keep working) while the journal pushes back; it holds up
/// to a capacity, and past that counts what it must drop as one loss, kept in order among the events.</summary>
internal sealed class MonitorBacklog(int capacity)
{
    private readonly Channel<Item> _channel = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Lock _gate = new();
    private Loss? _openLoss;
    private int _events;

    /// <summary>Events waiting (losses not counted).</summary>
    public int Count
    {
        get { lock (_gate) return _events; }
    }

    /// <summary>Queues an event, or counts it into the current loss when the backlog is full.</summary>
    /// <param name="vmEvent">The event.</param>
    /// <param name="number">Its number among the events of this connection (1 for the first).</param>
    public void Add(VmEvent vmEvent, long number)
    {
        lock (_gate)
        {
            if (_events >= capacity)
            {
                if (_openLoss is not { Closed: false })
                {
                    _openLoss = new Loss(number);
                    _channel.Writer.TryWrite(new Item(null, _openLoss));
                }
                _openLoss.Last = number;
                _openLoss.Count++;
                return;
            }
            _events++;
            _channel.Writer.TryWrite(new Item(vmEvent, null));
        }
    }

    /// <summary>No more events: the reader drains what is queued, then ends.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>Waits until an item can be taken; false once completed and empty.</summary>
    public ValueTask<bool> WaitToTakeAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Takes the next event, or the next loss (closed by taking it: later drops start a new one).</summary>
    public bool TryTake(out VmEvent? vmEvent, out LossRange? loss)
    {
        vmEvent = null;
        loss = null;
        if (!_channel.Reader.TryRead(out var item)) return false;
        lock (_gate)
        {
            if (item.Event is { } e)
            {
                _events--;
                vmEvent = e;
            }
            else
            {
                item.Loss!.Closed = true;
                loss = new LossRange(item.Loss.Count, item.Loss.First, item.Loss.Last);
            }
        }
        return true;
    }

    private sealed record Item(VmEvent? Event, Loss? Loss);

    private sealed class Loss(long first)
    {
        public long First { get; } = first;
        public long Last { get; set; } = first;
        public long Count { get; set; }
        public bool Closed { get; set; }
    }
}

/// <summary>Events a monitor's backlog had to drop: how many, and their numbers among the connection's events.</summary>
internal readonly record struct LossRange(long Count, long First, long Last);
