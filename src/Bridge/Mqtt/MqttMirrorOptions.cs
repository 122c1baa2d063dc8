namespace Appliance.Bridge.Mqtt;

/// <summary>Settings of the MQTT mirror (section <c>Mqtt</c> of the appliance configuration).</summary>
public sealed class MqttMirrorOptions
{
    /// <summary>The commands <c>.../cmd</c> accepts by default.</summary>
    public static readonly IReadOnlyList<string> DefaultAllowedCommands =
        ["query-status", "stop", "cont", "system_reset", "system_powerdown", MqttCommandNames.Acknowledge];

    /// <summary>The broker connection.</summary>
    public MqttBrokerOptions Broker { get; set; } = new();

    /// <summary>First topic level.</summary>
    public string TopicPrefix { get; set; } = "appliance";

    /// <summary>Second topic level: this box; empty means the host name.</summary>
    public string Node { get; set; } = "";

    /// <summary>Name of the journal cursor the mirror keeps.</summary>
    public string CursorName { get; set; } = "mqtt";

    /// <summary>Events published and not yet acknowledged, at most (duplicates after a crash stay within this window).</summary>
    public int MaxInFlight { get; set; } = 256;

    /// <summary>MQTT 5 message expiry of event messages; null for none.</summary>
    public TimeSpan? EventMessageExpiry { get; set; }

    /// <summary>Event payloads larger than this are quarantined instead of sent.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>How often the broker may reject one event before it is quarantined: a PUBACK reason &gt;= 0x80, or a
    /// connection that ends without its PUBACK while it is the oldest event in flight.</summary>
    public int MaxRejections { get; set; } = 3;

    /// <summary>How long the oldest event in flight may wait for its PUBACK, while connected, before every pending
    /// event is sent again (a PUBACK lost by a broker or a middlebox; duplicates carry the same seq).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>QMP commands <c>.../cmd</c> may execute (plus <c>x-appliance-ack</c> when listed).</summary>
    public IList<string> AllowedCommands { get; set; } = [.. DefaultAllowedCommands];

    /// <summary>How long a command may take before the reply is an error.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Announce the VMs to Home Assistant through MQTT discovery.</summary>
    public bool HomeAssistantDiscovery { get; set; }

    /// <summary>Home Assistant's discovery prefix.</summary>
    public string HomeAssistantPrefix { get; set; } = "homeassistant";

    /// <summary>The node name in effect.</summary>
    public string EffectiveNode => string.IsNullOrWhiteSpace(Node) ? Environment.MachineName : Node;

    /// <summary>Throws <see cref="ArgumentException"/> naming every bad setting.</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException("MQTT configuration: " + string.Join("; ", problems));
    }

    /// <summary>Every bad setting, one line each (key relative to the Mqtt section); empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Require(bool ok, string message)
        {
            if (!ok) problems.Add(message);
        }

        Require(!string.IsNullOrWhiteSpace(Broker.Host), "Broker.Host is empty");
        Require(Broker.Port is > 0 and < 65536, $"Broker.Port {Broker.Port} is not a TCP port");
        Require(MqttTopics.IsValidLevel(TopicPrefix), $"TopicPrefix '{TopicPrefix}' must be one topic level without / + #");
        Require(MqttTopics.IsValidLevel(EffectiveNode), $"Node '{EffectiveNode}' must be one topic level without / + #");
        Require(MaxInFlight is >= 1 and <= 65000, $"MaxInFlight {MaxInFlight} must be between 1 and 65000");
        Require(MaxPayloadBytes > 0, "MaxPayloadBytes must be positive");
        Require(MaxRejections >= 1, "MaxRejections must be at least 1");
        Require(StallTimeout >= TimeSpan.FromSeconds(1), $"StallTimeout {StallTimeout} must be at least one second");
        Require(CommandTimeout > TimeSpan.Zero, "CommandTimeout must be positive");
        foreach (var (name, file) in new[] { ("CaFile", Broker.Tls.CaFile), ("CertFile", Broker.Tls.CertFile), ("KeyFile", Broker.Tls.KeyFile) })
        {
            Require(file is null || File.Exists(file), $"Broker.Tls.{name} '{file}' does not exist");
        }
        Require((Broker.Tls.CertFile is null) == (Broker.Tls.KeyFile is null), "Broker.Tls needs both CertFile and KeyFile, or neither");
        Require(Broker.PasswordFile is null || File.Exists(Broker.PasswordFile), $"Broker.PasswordFile '{Broker.PasswordFile}' does not exist");
        return problems;
    }
}
