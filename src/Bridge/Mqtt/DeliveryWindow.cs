namespace Appliance.Bridge.Mqtt;

/// <summary>The events published and not yet acknowledged, and the durable cursor that follows from them: every seq
/// below the oldest unacknowledged one is handled (acknowledged or quarantined). Thread-safe: acknowledgements
/// arrive on the network thread.</summary>
internal sealed class DeliveryWindow
{
    private readonly Lock _gate = new();
    private readonly SortedSet<long> _pending = [];
    private long _highestSent;

    /// <summary>Starts after <paramref name="cursor"/>, the last seq already handled.</summary>
    public DeliveryWindow(long cursor) => _highestSent = cursor;

    public int Count
    {
        get { lock (_gate) return _pending.Count; }
    }

    /// <summary>The last seq such that it and everything before it is handled.</summary>
    public long Cursor
    {
        get
        {
            lock (_gate) return _pending.Count == 0 ? _highestSent : _pending.Min - 1;
        }
    }

    /// <summary>The oldest seq sent and not yet handled; null when nothing is in flight.</summary>
    public long? Oldest
    {
        get
        {
            lock (_gate) return _pending.Count == 0 ? null : _pending.Min;
        }
    }

    /// <summary>True while <paramref name="seq"/> is sent and not yet handled.</summary>
    public bool Contains(long seq)
    {
        lock (_gate) return _pending.Contains(seq);
    }

    /// <summary>Records <paramref name="seq"/> as sent (or about to be); sends come in seq order, except retries.</summary>
    public void Sent(long seq)
    {
        lock (_gate)
        {
            _pending.Add(seq);
            if (seq > _highestSent) _highestSent = seq;
        }
    }

    /// <summary>The seqs sent and not yet handled, oldest first.</summary>
    public long[] Pending()
    {
        lock (_gate) return [.. _pending];
    }

    /// <summary>Forgets everything pending: sending starts over after <paramref name="cursor"/> (the oldest pending
    /// seq minus one, so the cursor stays where it is).</summary>
    public void Rewind(long cursor)
    {
        lock (_gate)
        {
            _pending.Clear();
            _highestSent = cursor;
        }
    }

    /// <summary>Records <paramref name="seq"/> as handled (acknowledged, or given up on).</summary>
    public void Done(long seq)
    {
        lock (_gate) _pending.Remove(seq);
    }
}
