using Appliance.Bridge.Client;

namespace Appliance.Bridge.Tests.Client;

public sealed class ReconnectBackoffTests
{
    private static readonly TimeSpan Min = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Fact]
    public void First_attempt_waits_the_minimum()
    {
        Assert.Equal(Min, new ReconnectBackoff(Min, Max, new Random(1)).Delay(0));
    }

    [Fact]
    public void Delay_stays_within_half_and_all_of_the_doubled_ceiling()
    {
        var backoff = new ReconnectBackoff(Min, Max, new Random(2));
        for (int attempt = 1; attempt < 5; attempt++)
        {
            var ceiling = Min * Math.Pow(2, attempt);
            var delay = backoff.Delay(attempt);
            Assert.InRange(delay, ceiling / 2, ceiling);
        }
    }

    [Fact]
    public void Delay_never_exceeds_the_maximum()
    {
        var backoff = new ReconnectBackoff(Min, Max, new Random(3));
        Assert.All(Enumerable.Range(0, 100), attempt => Assert.InRange(backoff.Delay(attempt), Min, Max));
    }

    [Fact]
    public void Jitter_spreads_delays_of_the_same_attempt()
    {
        var backoff = new ReconnectBackoff(Min, Max, new Random(4));
        var delays = Enumerable.Range(0, 20).Select(_ => backoff.Delay(10)).Distinct().Count();
        Assert.True(delays > 10, $"only {delays} distinct delays");
    }
}
