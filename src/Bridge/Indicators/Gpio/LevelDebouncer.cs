namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>Debounce as the kernel does it: an edge is reported only after the raw level has stayed put for the
/// debounce period, stamped with the provider's timestamp. The simulated contact uses it, and the libgpiod driver,
/// which has no debounce of its own.</summary>
internal sealed class LevelDebouncer : IDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private readonly Action<bool, long> _onEdge;
    private readonly ITimer _settle;
    private bool _raw;
    private bool _reported;
    private bool _disposed;

    public LevelDebouncer(TimeProvider time, TimeSpan debounce, Action<bool, long> onEdge, bool initialLevel = false)
    {
        _raw = _reported = initialLevel;
        _time = time;
        _debounce = debounce;
        _onEdge = onEdge;
        _settle = time.CreateTimer(_ => Settle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The debounced logical level.</summary>
    public bool Level
    {
        get
        {
            lock (_gate) return _reported;
        }
    }

    internal void Set(bool active)
    {
        lock (_gate) _raw = active;
        if (_debounce <= TimeSpan.Zero) Settle();
        else _settle.Change(_debounce, Timeout.InfiniteTimeSpan);
    }

    private void Settle()
    {
        bool level;
        lock (_gate)
        {
            if (_disposed || _raw == _reported) return;
            _reported = level = _raw;
        }
        _onEdge(level, _time.GetTimestamp());
    }

    public void Dispose()
    {
        lock (_gate) _disposed = true;
        _settle.Dispose();
    }
}
