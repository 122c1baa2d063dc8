namespace Appliance.Bridge.Mqtt.Client;

/// <summary>The outcome of handing a message to libmosquitto.</summary>
/// <param name="Code">libmosquitto's return code (0 = queued).</param>
/// <param name="MessageId">The packet id the PUBACK will carry.</param>
internal readonly record struct MqttPublishResult(int Code, int MessageId)
{
    public const int NoConnection = 4;
    public const int ConnectionLost = 7;
    public const int PayloadSize = 9;
    public const int OversizePacket = 25;

    /// <summary>Queued. libmosquitto returns NO_CONN for a QoS 1 message it queued while disconnected, and sends
    /// it after the reconnect, so that counts as accepted too.</summary>
    public bool Accepted => Code is 0 or NoConnection;

    /// <summary>The message can never be sent as it is, so retrying is pointless.</summary>
    public bool Permanent => Code is PayloadSize or OversizePacket or 3 /* INVAL */ or 18 /* MALFORMED_UTF8 */;
}
