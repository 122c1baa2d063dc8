namespace Appliance.Bridge.Mqtt.Client;

/// <summary>The packet identifiers of one connection that await an answer (PUBACK, SUBACK), and what each belongs to.
/// Identifiers go round 1..65535 and skip any still in use. Thread-safe: answers arrive on the receive loop.</summary>
internal sealed class PacketIdTable
{
    private readonly Lock _gate = new();
    private readonly object?[] _owners = new object?[ushort.MaxValue + 1];
    private int _count;
    private ushort _last;

    /// <summary>Identifiers in use.</summary>
    public int Count
    {
        get { lock (_gate) return _count; }
    }

    /// <summary>A free identifier now owned by <paramref name="owner"/>; 0 when all 65,535 are in use.</summary>
    public ushort Add(object owner)
    {
        lock (_gate)
        {
            if (_count == ushort.MaxValue) return 0;
            do
            {
                _last = _last == ushort.MaxValue ? (ushort)1 : (ushort)(_last + 1);
            }
            while (_owners[_last] is not null);
            _owners[_last] = owner;
            _count++;
            return _last;
        }
    }

    /// <summary>Frees <paramref name="id"/> and returns its owner; null when it was not in use (a late or stray answer).</summary>
    public object? Remove(ushort id)
    {
        lock (_gate)
        {
            var owner = _owners[id];
            if (owner is null) return null;
            _owners[id] = null;
            _count--;
            return owner;
        }
    }

    /// <summary>Frees every identifier and hands each owner to <paramref name="each"/> (the connection ended).</summary>
    public void Clear(Action<object> each)
    {
        List<object> owners;
        lock (_gate)
        {
            owners = new List<object>(_count);
            for (int id = 1; id < _owners.Length && owners.Count < _count; id++)
            {
                if (_owners[id] is { } owner)
                {
                    owners.Add(owner);
                    _owners[id] = null;
                }
            }
            _count = 0;
        }
        foreach (var owner in owners) each(owner);
    }
}
