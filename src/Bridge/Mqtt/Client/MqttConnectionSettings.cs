namespace Appliance.Bridge.Mqtt.Client;

/// <summary>Everything one <see cref="MqttConnection"/> needs, resolved (password read, client id chosen).</summary>
internal sealed record MqttConnectionSettings(MqttBrokerOptions Broker, string ClientId, string? Password)
{
    /// <summary>Last will: retained on this topic when the connection drops without a DISCONNECT.</summary>
    public (string Topic, byte[] Payload)? Will { get; init; }

    /// <summary>Keep the broker session across connections (clean start off).</summary>
    public bool PersistentSession { get; init; } = true;
}
