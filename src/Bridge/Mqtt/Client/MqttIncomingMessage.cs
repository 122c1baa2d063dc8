namespace Appliance.Bridge.Mqtt.Client;

/// <summary>A message received on a subscription, copied out of the client.</summary>
/// <param name="Topic">The topic it was published on.</param>
/// <param name="Payload">The payload bytes.</param>
/// <param name="ResponseTopic">MQTT 5 response topic, if the sender set one.</param>
/// <param name="CorrelationData">MQTT 5 correlation data, or empty.</param>
/// <param name="MessageExpiry">MQTT 5 message expiry interval left, in seconds, if the message has one.</param>
internal sealed record MqttIncomingMessage(string Topic, byte[] Payload, string? ResponseTopic, byte[] CorrelationData, uint? MessageExpiry = null);
