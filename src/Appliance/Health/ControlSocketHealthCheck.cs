using Appliance.Host.Control;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Health;

/// <summary>The control socket: Degraded when its accept loop ended (<c>appliance status</c> and <c>ack</c> cannot reach
/// the appliance, which otherwise goes on working).</summary>
internal sealed class ControlSocketHealthCheck(ControlSocketServer server, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(ServiceLoop.EndedEarly(server, lifetime) is { } ended
            ? HealthCheckResult.Degraded($"control socket {ended}")
            : HealthCheckResult.Healthy());
}
