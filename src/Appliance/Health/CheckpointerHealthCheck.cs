using Appliance.Bridge.Journal;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Health;

/// <summary>The journal checkpointer: Unhealthy when its loop ended (the write-ahead log would grow without bound);
/// Degraded while its checkpoints fail (each is retried; the journal still commits).</summary>
internal sealed class CheckpointerHealthCheck(JournalCheckpointer checkpointer, IHostApplicationLifetime lifetime) : IHealthCheck
{
    private readonly Lock _gate = new();
    private long _failures;
    private long _checkpoints;
    private bool _failing;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (ServiceLoop.EndedEarly(checkpointer, lifetime) is { } ended)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"journal checkpointer {ended}"));
        }
        bool failing;
        lock (_gate)
        {
            long failures = checkpointer.Failures, checkpoints = checkpointer.Checkpoints;
            // Failing from a failure until the next successful checkpoint.
            if (failures != _failures) _failing = true;
            else if (checkpoints != _checkpoints) _failing = false;
            _failures = failures;
            _checkpoints = checkpoints;
            failing = _failing;
        }
        return Task.FromResult(failing
            ? HealthCheckResult.Degraded($"journal checkpoints failing ({checkpointer.Failures} so far); retrying")
            : HealthCheckResult.Healthy());
    }
}
