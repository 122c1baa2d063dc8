using Appliance.Bridge.Mqtt;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Health;

/// <summary>The MQTT mirror: Degraded whenever it cannot deliver (broker unreachable, refused, TLS misconfigured, or the
/// mirror could not start). Never Unhealthy: MQTT is one sink, events wait in the journal, and a restart cures none of
/// these.</summary>
internal sealed class MqttMirrorHealthCheck(MqttMirror mirror, MqttMirrorOptions options, IHostApplicationLifetime lifetime, TimeProvider time) : IHealthCheck
{
    /// <summary>Time a fresh start has to make its first connection before "never connected" counts as Degraded.</summary>
    public static readonly TimeSpan FirstConnectGrace = TimeSpan.FromSeconds(5);

    private readonly long _created = time.GetTimestamp();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string broker = $"{options.Broker.Host}:{options.Broker.Port}";
        if (mirror.StartProblem is { } problem) return Task.FromResult(HealthCheckResult.Degraded($"MQTT mirror cannot start: {problem}"));
        if (ServiceLoop.EndedEarly(mirror, lifetime) is { } ended) return Task.FromResult(HealthCheckResult.Degraded($"MQTT mirror {ended}"));
        if (mirror.IsConnected) return Task.FromResult(HealthCheckResult.Healthy($"connected to {broker}"));
        if (mirror.LastDisconnectReason is null && time.GetElapsedTime(_created) < FirstConnectGrace)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"connecting to {broker}"));
        }
        string why = mirror.LastDisconnectReason is { } reason ? $"last: {reason}" : "never connected";
        return Task.FromResult(HealthCheckResult.Degraded($"MQTT broker {broker} not connected ({why}); events wait in the journal"));
    }
}
