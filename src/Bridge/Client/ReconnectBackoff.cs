namespace Appliance.Bridge.Client;

/// <summary>Capped exponential backoff with jitter: attempt n waits a random time between half and all of
/// min * 2^n, never more than max, so many VMs restarting together do not reconnect in lockstep.</summary>
internal sealed class ReconnectBackoff(TimeSpan min, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    public TimeSpan Delay(int attempt)
    {
        double ceiling = Math.Min(max.Ticks, min.Ticks * Math.Pow(2, Math.Clamp(attempt, 0, 30)));
        double ticks = ceiling * (0.5 + 0.5 * _random.NextDouble());
        return TimeSpan.FromTicks((long)Math.Max(ticks, min.Ticks));
    }
}
