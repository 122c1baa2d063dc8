using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Host.Health;

/// <summary>Runs every component's health check once a second and keeps the last report, for the systemd watchdog,
/// the heartbeat line, <c>STATUS=</c> and the status document (all read it; none runs the checks itself).</summary>
/// <remarks>A report older than <see cref="StaleAfter"/> counts as Unhealthy: if this loop dies or hangs, the watchdog
/// and the heartbeat must stop too.</remarks>
internal sealed partial class HealthMonitor(HealthCheckService checks, TimeProvider time, ILogger<HealthMonitor> logger) : BackgroundService, IHealthSignal
{
    /// <summary>How often the checks run.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Age after which the last report no longer counts.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    private volatile Snapshot? _last;

    /// <summary>The state now: the last report, or Unhealthy when it is stale; Healthy ("starting") before the first.</summary>
    public ApplianceHealth Current
    {
        get
        {
            var last = _last;
            if (last is null) return new ApplianceHealth(HealthStatus.Healthy, []);
            var age = time.GetElapsedTime(last.At);
            return age > StaleAfter
                ? new ApplianceHealth(HealthStatus.Unhealthy, [new ComponentHealth("health", HealthStatus.Unhealthy, $"no health evaluation for {age.TotalSeconds:0} s")])
                : last.Health;
        }
    }

    /// <summary>True when the watchdog and the heartbeat must stop: only for Unhealthy, never for Degraded.</summary>
    public bool IsUnhealthy => Current.Status == HealthStatus.Unhealthy;

    /// <summary>Runs every check now and keeps the result.</summary>
    public async Task<ApplianceHealth> EvaluateAsync(CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        var health = new ApplianceHealth(report.Status,
            [.. report.Entries.Select(e => new ComponentHealth(e.Key, e.Value.Status, e.Value.Description ?? e.Value.Exception?.Message))]);
        var previous = _last;
        _last = new Snapshot(health, time.GetTimestamp());
        // Logged when a component changes state, not when only the numbers in a reason change.
        if (previous is null ? health.Status != HealthStatus.Healthy : previous.Health.States != health.States)
        {
            if (health.Status == HealthStatus.Healthy) LogHealthy();
            else LogChanged(health.Summary);
        }
        return health;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            await EvaluateAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "health: {Summary}")]
    private partial void LogChanged(string summary);

    [LoggerMessage(Level = LogLevel.Information, Message = "health: Healthy again")]
    private partial void LogHealthy();

    private sealed record Snapshot(ApplianceHealth Health, long At);
}
