using Appliance.Bridge.Indicators;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Health;

/// <summary>The indicators: Unhealthy when their loop ended (the lamps would freeze in whatever state they show);
/// Degraded when they dropped events by falling behind.</summary>
internal sealed class IndicatorsHealthCheck(IndicatorService indicators, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (ServiceLoop.EndedEarly(indicators, lifetime) is { } ended)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"indicator loop {ended}"));
        }
        return Task.FromResult(indicators.Dropped > 0
            ? HealthCheckResult.Degraded($"indicators fell behind and skipped {indicators.Dropped} events")
            : HealthCheckResult.Healthy());
    }
}
