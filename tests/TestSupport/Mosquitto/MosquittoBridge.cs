namespace Appliance.TestSupport.Mosquitto;

/// <summary>A bridge from the test broker to another broker on 127.0.0.1 (a mosquitto <c>connection</c> section):
/// the topic pattern goes out at QoS 1 with a persistent session, so messages published while the remote is
/// away are queued and sent when it is back.</summary>
/// <param name="Name">The connection's name.</param>
/// <param name="RemotePort">The remote broker's port on 127.0.0.1.</param>
/// <param name="Topic">The pattern bridged out, e.g. <c>appliance/box1/#</c>.</param>
/// <param name="RemoteClientId">The bridge's client id on the remote broker.</param>
public sealed record MosquittoBridge(string Name, int RemotePort, string Topic, string RemoteClientId)
{
    /// <summary>User and password on the remote broker, or null for anonymous.</summary>
    public (string User, string Password)? RemoteLogin { get; init; }

    /// <summary>The <c>connection</c> section of mosquitto.conf.</summary>
    public string ToConfig()
    {
        var lines = new List<string>
        {
            $"connection {Name}",
            $"address 127.0.0.1:{RemotePort}",
            $"topic {Topic} out 1",
            "cleansession false",
            $"remote_clientid {RemoteClientId}",
            "notifications false",
            "restart_timeout 1 2", // reconnect quickly: tests restart the remote
            "keepalive_interval 5",
            "queue_qos0_messages false",
        };
        if (RemoteLogin is var (user, password))
        {
            lines.Add($"remote_username {user}");
            lines.Add($"remote_password {password}");
        }
        return string.Join('\n', lines) + "\n";
    }
}
