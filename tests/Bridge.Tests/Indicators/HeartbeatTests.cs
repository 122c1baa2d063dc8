using Appliance.Bridge.Indicators;
using static Appliance.Bridge.Tests.Indicators.IndicatorHarness;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class HeartbeatTests
{
    private static IndicatorOptions WithHeartbeat()
    {
        var options = IndicatorOptions.CreateDefault();
        options.Heartbeat = new HeartbeatOptions { Pin = "HEARTBEAT", Interval = TimeSpan.FromMilliseconds(500) };
        return options;
    }

    [Fact]
    public async Task Heartbeat_toggles_every_interval_while_healthy()
    {
        await using var h = await StartAsync(WithHeartbeat(), isHealthy: () => true);

        h.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal([false, true, false, true, false], h.Gpio.TransitionsOf(Heartbeat).Select(t => t.Active));
    }

    [Fact]
    public async Task Heartbeat_stops_toggling_when_unhealthy()
    {
        bool healthy = true;
        await using var h = await StartAsync(WithHeartbeat(), isHealthy: () => healthy);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        int before = h.Gpio.TransitionsOf(Heartbeat).Count;

        healthy = false;
        h.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(before, h.Gpio.TransitionsOf(Heartbeat).Count);
    }

    [Fact]
    public async Task Heartbeat_resumes_when_health_returns()
    {
        bool healthy = false;
        await using var h = await StartAsync(WithHeartbeat(), isHealthy: () => healthy);
        h.Time.Advance(TimeSpan.FromSeconds(2));

        healthy = true;
        h.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(3, h.Gpio.TransitionsOf(Heartbeat).Count);
    }

    [Fact]
    public async Task Throwing_health_check_counts_as_unhealthy()
    {
        await using var h = await StartAsync(WithHeartbeat(), isHealthy: () => throw new InvalidOperationException("pipeline gone"));

        h.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Single(h.Gpio.TransitionsOf(Heartbeat));
    }
}
