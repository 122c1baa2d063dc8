namespace Appliance.Bridge.Mqtt;

/// <summary>How to reach and authenticate to the broker.</summary>
public sealed class MqttBrokerOptions
{
    /// <summary>Broker host name or address.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>Broker port (1883 plain, 8883 usual for TLS).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Client id; empty means <c>appliance-{node}</c>. Fixed, so the broker can keep the session.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Protocol version.</summary>
    public MqttProtocolVersion Protocol { get; set; } = MqttProtocolVersion.V5;

    /// <summary>Keepalive interval.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the broker keeps the session after a disconnect (MQTT 5 session expiry interval).</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Reconnect back-off: first delay.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Reconnect back-off: longest delay.</summary>
    public TimeSpan ReconnectDelayMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>User name, or empty for none.</summary>
    public string Username { get; set; } = "";

    /// <summary>A file whose first line is the password (preferred: keep it mode 0600).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>An environment variable holding the password, when no file is given.</summary>
    public string? PasswordEnvironmentVariable { get; set; }

    /// <summary>TLS settings; TLS is on when <see cref="MqttTlsOptions.CaFile"/> is set.</summary>
    public MqttTlsOptions Tls { get; set; } = new();
}

/// <summary>TLS to the broker.</summary>
public sealed class MqttTlsOptions
{
    /// <summary>PEM file of the CA that signed the broker's certificate; setting it turns TLS on.</summary>
    public string? CaFile { get; set; }

    /// <summary>Client certificate (PEM), for brokers that require one.</summary>
    public string? CertFile { get; set; }

    /// <summary>Client private key (PEM, unencrypted).</summary>
    public string? KeyFile { get; set; }

    /// <summary>Check that the broker's certificate names <see cref="MqttBrokerOptions.Host"/>. Leave on.</summary>
    public bool VerifyHostname { get; set; } = true;

    /// <summary>True when TLS is configured.</summary>
    public bool Enabled => !string.IsNullOrEmpty(CaFile);
}
