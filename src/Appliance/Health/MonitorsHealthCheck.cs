using Appliance.Bridge.Client;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Health;

/// <summary>The QMP monitors: Unhealthy when the registry's loop or a VM's supervisor crashed (nothing watches that VM
/// any more); Degraded while a monitor is disconnected, stalled or held back by the journal (the appliance itself is
/// working, and says which VM it cannot see).</summary>
internal sealed class MonitorsHealthCheck(MonitorRegistry registry, VmStatusBoard board, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (ServiceLoop.EndedEarly(registry, lifetime) is { } ended)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"monitor registry {ended}"));
        }
        if (registry.CrashedSupervisors is { Count: > 0 } crashed)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(string.Join("; ", crashed.Select(c => $"supervisor of {c.Key} crashed: {c.Value}"))));
        }
        var all = board.All;
        var troubled = all.Where(v => v.Monitor is MonitorState.Disconnected or MonitorState.Stalled or MonitorState.Backpressured)
            .Select(v => $"{v.Vm} {Describe(v.Monitor)}").ToList();
        return Task.FromResult(troubled.Count > 0
            ? HealthCheckResult.Degraded(string.Join("; ", troubled))
            : HealthCheckResult.Healthy($"{all.Count} VM(s) watched"));
    }

    private static string Describe(MonitorState state) => state switch
    {
        MonitorState.Backpressured => "backpressured (the journal is behind; events wait in memory)",
        MonitorState.Stalled => "stalled (query-status unanswered)",
        _ => "disconnected",
    };
}
