namespace Appliance.Bridge.Diagnostics;

/// <summary>A fixed-bucket histogram of durations (Prometheus shape: cumulative counts per upper bound, a sum and a
/// count), recorded lock-free from one thread and read from any.</summary>
public sealed class LatencyHistogram
{
    private readonly double[] _bounds;
    private readonly long[] _counts;
    private long _sumTicks;

    /// <summary>Creates a histogram with the given upper bounds in seconds, ascending; +Inf is implied.</summary>
    public LatencyHistogram(params double[] boundsSeconds)
    {
        ArgumentNullException.ThrowIfNull(boundsSeconds);
        for (int i = 1; i < boundsSeconds.Length; i++)
        {
            if (!(boundsSeconds[i] > boundsSeconds[i - 1])) throw new ArgumentException("Bucket bounds must ascend.", nameof(boundsSeconds));
        }
        _bounds = [.. boundsSeconds];
        _counts = new long[boundsSeconds.Length + 1];
    }

    /// <summary>Upper bounds in seconds, without +Inf.</summary>
    public IReadOnlyList<double> Bounds => _bounds;

    /// <summary>Counts one duration.</summary>
    public void Record(TimeSpan duration)
    {
        double seconds = duration.TotalSeconds;
        int i = 0;
        while (i < _bounds.Length && seconds > _bounds[i]) i++;
        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumTicks, duration.Ticks);
    }

    /// <summary>Cumulative counts per bound (the last one is +Inf, the total count) and the sum in seconds.</summary>
    public (long[] Cumulative, double SumSeconds) Snapshot()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }
        return (cumulative, TimeSpan.FromTicks(Interlocked.Read(ref _sumTicks)).TotalSeconds);
    }
}
