namespace Appliance.Bridge.Mqtt.Client;

/// <summary>The outcome of handing a message to the connection.</summary>
/// <param name="Code">0 sent, 1 not connected (nothing is queued: send again after the reconnect), 2 refused for good.</param>
/// <param name="Error">Why it was refused, for <see cref="Permanent"/>.</param>
internal readonly record struct MqttPublishResult(int Code, string? Error = null)
{
    public static MqttPublishResult Sent => new(0);

    public static MqttPublishResult NotConnected => new(1);

    public static MqttPublishResult Refused(string error) => new(2, error);

    /// <summary>On its way to the broker; the PUBACK callback follows unless the connection ends first.</summary>
    public bool Accepted => Code == 0;

    /// <summary>The message can never be sent as it is (an invalid topic), so retrying is pointless.</summary>
    public bool Permanent => Code == 2;
}
