namespace Appliance.Bridge.Mqtt;

/// <summary>Names of the event identity fields: members of the event JSON and, on MQTT 5, user properties too.</summary>
internal static class EventProperties
{
    /// <summary><c>{node}/{vm}/{seq}</c>: the same for every delivery of one journal row, across re-sends and restarts.</summary>
    public const string EventId = "event_id";

    /// <summary>True when the event was delivered from the backlog, not live (see docs/mqtt.md).</summary>
    public const string Replayed = "replayed";
}
