using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Appliance.Host.Health;

/// <summary>The appliance's health: the worst of its components', and each component's own.</summary>
internal sealed record ApplianceHealth(HealthStatus Status, IReadOnlyList<ComponentHealth> Checks)
{
    /// <summary>Every component that is not Healthy, as <c>name: reason</c>, worst first.</summary>
    public IEnumerable<string> Problems => Checks.Where(c => c.Status != HealthStatus.Healthy)
        .OrderBy(c => c.Status).Select(c => $"{c.Name}: {c.Reason}");

    /// <summary>The state of every component, without reasons: changes when a component changes state.</summary>
    public string States => string.Join(",", Checks.Select(c => $"{c.Name}={c.Status}"));

    /// <summary>One line: the state and every problem, e.g. <c>Degraded (mqtt: broker ... not connected)</c>.</summary>
    public string Summary => Status == HealthStatus.Healthy ? "Healthy" : $"{Status} ({string.Join("; ", Problems)})";
}

/// <summary>One component's health check result.</summary>
internal sealed record ComponentHealth(string Name, HealthStatus Status, string? Reason);
