namespace Appliance.Bridge.Interop.Mosquitto;

/// <summary>What the managed side receives from libmosquitto's network thread. Implementations must not throw.</summary>
internal interface IMosquittoCallbacks
{
    void OnConnect(int reasonCode, int flags);

    void OnDisconnect(int reasonCode);

    void OnPublish(int mid, int reasonCode);

    /// <summary>A log line of libmosquitto's at <paramref name="level"/> (MOSQ_LOG_ERR = 8, MOSQ_LOG_WARNING = 4).</summary>
    void OnLog(int level, string message);

    void OnMessage(string topic, ReadOnlySpan<byte> payload, string? responseTopic, ReadOnlySpan<byte> correlationData, uint? messageExpiry);
}
