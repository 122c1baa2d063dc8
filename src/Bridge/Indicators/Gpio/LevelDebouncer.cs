namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>Debounce as the kernel does it: an edge is reported only after the raw level has stayed put for the
/// debounce period, stamped with the provider's timestamp (the simulated contact). Or, with <c>leadingEdge</c>, the
/// first change is reported at once and the changes within the debounce period after it are folded into the level
/// reported when the period ends (the libgpiod driver: System.Device.Gpio's events carry no kernel timestamp and a
/// busy box reads a press and its release late and together, which trailing debounce on their arrival drops).</summary>
internal sealed class LevelDebouncer : IDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private readonly Action<bool, long> _onEdge;
    private readonly ITimer _settle;
    private readonly bool _leadingEdge;
    private bool _raw;
    private bool _reported;
    private bool _settling;
    private bool _disposed;

    public LevelDebouncer(TimeProvider time, TimeSpan debounce, Action<bool, long> onEdge, bool initialLevel = false, bool leadingEdge = false)
    {
        _raw = _reported = initialLevel;
        _leadingEdge = leadingEdge;
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
        bool reportNow;
        lock (_gate)
        {
            _raw = active;
            // Leading edge: a change outside a settling period is reported now and opens one; anything else waits for
            // the end of the period already running (or is no change at all).
            reportNow = _leadingEdge && !_settling && !_disposed && _raw != _reported;
            if (reportNow) (_reported, _settling) = (_raw, true);
            else if (_leadingEdge) return;
        }
        if (reportNow) _onEdge(active, _time.GetTimestamp());
        if (_debounce <= TimeSpan.Zero) Settle();
        else _settle.Change(_debounce, Timeout.InfiniteTimeSpan);
    }

    private void Settle()
    {
        bool level;
        lock (_gate)
        {
            _settling = false;
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
