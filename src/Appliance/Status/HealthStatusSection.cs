using System.Text.Json;
using Appliance.Host.Health;

namespace Appliance.Host.Status;

/// <summary><c>"health": {"status": "Healthy|Degraded|Unhealthy", "checks": [{"name", "status", "reason"}]}</c>.</summary>
internal sealed class HealthStatusSection(HealthMonitor health) : IStatusSection
{
    public string Name => "health";

    public void Write(Utf8JsonWriter writer)
    {
        var current = health.Current;
        writer.WriteStartObject();
        writer.WriteString("status", current.Status.ToString());
        writer.WriteStartArray("checks");
        foreach (var check in current.Checks)
        {
            writer.WriteStartObject();
            writer.WriteString("name", check.Name);
            writer.WriteString("status", check.Status.ToString());
            if (check.Reason is { } reason) writer.WriteString("reason", reason);
            else writer.WriteNull("reason");
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
