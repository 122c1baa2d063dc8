using System.Text.Json;

namespace Appliance.Host.Status;

/// <summary>One part of the appliance's status document (<c>appliance status --json</c>, the dashboard).</summary>
internal interface IStatusSection
{
    /// <summary>The member name in the status document, e.g. <c>mqtt</c>.</summary>
    string Name { get; }

    /// <summary>Writes this section's value (one JSON value).</summary>
    void Write(Utf8JsonWriter writer);
}
