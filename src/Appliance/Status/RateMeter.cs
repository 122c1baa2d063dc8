namespace Appliance.Host.Status;

/// <summary>Turns a growing counter into a rate between two readings (at least a second apart).</summary>
internal sealed class RateMeter(TimeProvider time)
{
    private long _lastCount;
    private long _lastTimestamp = time.GetTimestamp();
    private double _rate;

    public double PerSecond(long count)
    {
        lock (this)
        {
            long now = time.GetTimestamp();
            var elapsed = time.GetElapsedTime(_lastTimestamp, now);
            if (elapsed >= TimeSpan.FromSeconds(1))
            {
                _rate = (count - _lastCount) / elapsed.TotalSeconds;
                _lastCount = count;
                _lastTimestamp = now;
            }
            return _rate;
        }
    }
}
