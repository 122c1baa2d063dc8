using System.Threading.Channels;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>A simulated input line. Like the kernel's debounce, an edge is reported only after the raw level has
/// stayed put for the debounce period.</summary>
internal sealed class SimulatedInput : IGpioInput
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private readonly ITimer _settle;
    private readonly Channel<GpioEdge> _edges = Channel.CreateBounded<GpioEdge>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private bool _raw;
    private bool _reported;

    public SimulatedInput(GpioPin pin, TimeProvider time, TimeSpan debounce)
    {
        Pin = pin;
        _time = time;
        _debounce = debounce;
        _settle = time.CreateTimer(_ => Settle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public GpioPin Pin { get; }

    internal Action? Released { get; set; }

    public bool Read()
    {
        lock (_gate) return _reported;
    }

    public ValueTask<GpioEdge> ReadEdgeAsync(CancellationToken cancellationToken) => _edges.Reader.ReadAsync(cancellationToken);

    internal void Set(bool active)
    {
        lock (_gate) _raw = active;
        if (_debounce <= TimeSpan.Zero) Settle();
        else _settle.Change(_debounce, Timeout.InfiniteTimeSpan);
    }

    private void Settle()
    {
        lock (_gate)
        {
            if (_raw == _reported) return;
            _reported = _raw;
        }
        _edges.Writer.TryWrite(new GpioEdge(_raw, _time.GetTimestamp()));
    }

    public void Dispose()
    {
        _settle.Dispose();
        _edges.Writer.TryComplete();
        Released?.Invoke();
    }
}
