namespace Appliance.Bridge.Mqtt;

/// <summary>The MQTT protocol version to speak.</summary>
public enum MqttProtocolVersion
{
    /// <summary>MQTT 3.1.1.</summary>
    V311 = 4,
    /// <summary>MQTT 5 (the default).</summary>
    V5 = 5,
}
