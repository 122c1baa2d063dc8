namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>Lets one log line per kind through per interval, so a flood of refused commands costs a few lines,
/// not one per message; the lines say how many were not logged in between (the counters have them all).</summary>
internal sealed class LogThrottle(TimeSpan interval, TimeProvider time)
{
    private readonly Dictionary<string, (long Stamp, int Suppressed)> _last = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>True when a line of <paramref name="kind"/> may be logged now; <paramref name="suppressed"/> is the
    /// number held back since the last one.</summary>
    public bool ShouldLog(string kind, out int suppressed)
    {
        long now = time.GetTimestamp();
        lock (_gate)
        {
            if (_last.TryGetValue(kind, out var last) && time.GetElapsedTime(last.Stamp, now) < interval)
            {
                _last[kind] = (last.Stamp, last.Suppressed + 1);
                suppressed = 0;
                return false;
            }
            suppressed = last.Suppressed;
            _last[kind] = (now, 0);
            return true;
        }
    }
}
