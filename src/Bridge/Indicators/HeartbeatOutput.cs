using Appliance.Bridge.Indicators.Gpio;

namespace Appliance.Bridge.Indicators;

/// <summary>Toggles a line every interval while the health predicate holds; when it does not, the line stops
/// toggling, so an external hardware watchdog notices the appliance is unwell (or dead).</summary>
internal sealed class HeartbeatOutput : IDisposable
{
    private readonly object _gate = new();
    private readonly GpioOutputLine _output;
    private readonly Func<bool> _isHealthy;
    private readonly ITimer _timer;
    private bool _level;
    private bool _disposed;

    public HeartbeatOutput(GpioOutputLine output, TimeSpan interval, Func<bool> isHealthy, TimeProvider time)
    {
        _output = output;
        _isHealthy = isHealthy;
        _timer = time.CreateTimer(_ => Tick(), null, interval, interval);
    }

    private void Tick()
    {
        bool healthy;
        try
        {
            healthy = _isHealthy();
        }
        catch (Exception)
        {
            // A throwing health check is an unhealthy pipeline, not a reason to die.
            healthy = false;
        }
        lock (_gate)
        {
            if (_disposed || !healthy) return;
            _level = !_level;
            try
            {
                _output.Write(_level);
            }
            catch (IOException)
            {
                // The next tick tries again; a stuck line is what the watchdog is for.
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                _output.Write(false);
            }
            catch (IOException)
            {
                // Released below either way.
            }
            _output.Dispose();
        }
    }
}
