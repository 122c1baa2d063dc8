namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>A token bucket per VM: <c>rate</c> commands per second on average, <c>burst</c> at once. Called from
/// the network thread only. VM names come from topics, so only VMs the appliance knows get a bucket.</summary>
internal sealed class CommandRateLimiter(double perSecond, int burst, TimeProvider time)
{
    private readonly Dictionary<string, (double Tokens, long Stamp)> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Takes one token for <paramref name="vm"/>; false when the VM is over its rate.</summary>
    public bool TryAcquire(string vm)
    {
        if (perSecond <= 0) return true;
        long now = time.GetTimestamp();
        lock (_gate)
        {
            double tokens = burst;
            if (_buckets.TryGetValue(vm, out var bucket))
            {
                tokens = Math.Min(burst, bucket.Tokens + time.GetElapsedTime(bucket.Stamp, now).TotalSeconds * perSecond);
            }
            bool granted = tokens >= 1;
            _buckets[vm] = (granted ? tokens - 1 : tokens, now);
            return granted;
        }
    }
}
