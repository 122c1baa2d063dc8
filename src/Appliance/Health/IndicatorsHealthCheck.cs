using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Gpio;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Health;

/// <summary>The indicators: Unhealthy when their loop ended (the lamps would freeze in whatever state they show);
/// Degraded when they dropped events by falling behind, or when an input line (the acknowledge button) stopped
/// reporting edges because reading it failed (the lamps still work; the button does not).</summary>
internal sealed class IndicatorsHealthCheck(IndicatorService indicators, GpioInputFaults inputFaults, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (ServiceLoop.EndedEarly(indicators, lifetime) is { } ended)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"indicator loop {ended}"));
        }
        var problems = new List<string>();
        if (indicators.Dropped > 0) problems.Add($"indicators fell behind and skipped {indicators.Dropped} events");
        if (inputFaults.Current is { Count: > 0 } faults)
        {
            problems.Add($"input lines stopped reporting edges (restart the service once the chip is back): {string.Join("; ", faults)}");
        }
        return Task.FromResult(problems.Count > 0 ? HealthCheckResult.Degraded(string.Join("; ", problems)) : HealthCheckResult.Healthy());
    }
}
