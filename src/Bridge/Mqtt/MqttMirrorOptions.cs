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

    /// <summary>MQTT 5 message expiry of command replies: a reply nobody fetched by then (a requester that went away
    /// with a persistent session) is dropped by the broker instead of arriving stale.</summary>
    public TimeSpan CommandReplyExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Event payloads larger than this are quarantined instead of sent.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>How often the broker may reject one event before it is quarantined: a PUBACK reason &gt;= 0x80, or a
    /// connection that ends without its PUBACK while it is the oldest event in flight.</summary>
    public int MaxRejections { get; set; } = 3;

    /// <summary>How long the oldest event in flight may wait for its PUBACK, while connected, before every pending
    /// event is sent again (a PUBACK lost by a broker or a middlebox; duplicates carry the same seq).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Oldest an undelivered event may be for MQTT: older ones are skipped (they stay in the journal) and the
    /// skip is published as one <c>APPLIANCE_GAP</c> with reason <c>backlog-limit</c>. Zero for no age bound.</summary>
    public TimeSpan MaxBacklogAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Most undelivered events kept for MQTT: beyond it the oldest are skipped as for
    /// <see cref="MaxBacklogAge"/>. Zero for no count bound.</summary>
    public long MaxBacklogEvents { get; set; } = 1_000_000;

    /// <summary>QMP commands <c>.../cmd</c> may execute, by exact name; replaces <see cref="DefaultAllowedCommands"/>
    /// when set (an empty list disables commands). Null (not configured) means the defaults.</summary>
    /// <remarks>Null by default on purpose: the configuration binder adds to a list it finds, so a default list here
    /// would make a configured list widen the defaults instead of replacing them.</remarks>
    public IList<string>? AllowedCommands { get; set; }

    /// <summary>The allowlist in effect: <see cref="AllowedCommands"/> when configured, else the defaults.</summary>
    public IReadOnlyList<string> EffectiveAllowedCommands =>
        AllowedCommands is null ? DefaultAllowedCommands : [.. AllowedCommands.Distinct(StringComparer.Ordinal)];

    /// <summary>Largest command payload accepted, in bytes, and largest command written to a monitor; larger ones get
    /// an error reply at once. At most 32 KiB: the emulated VMs' monitors refuse lines over 64 KiB with an error that
    /// carries no id, which the monitor client cannot match to its command (it waited for the command timeout).</summary>
    public int MaxCommandBytes { get; set; } = 16 * 1024;

    /// <summary>Where replies may go: <c>reply-to</c> and the MQTT 5 response topic must match this filter (ending in
    /// <c>/#</c>); empty means <c>{prefix}/{node}/reply/#</c>.</summary>
    public string ReplyTopicFilter { get; set; } = "";

    /// <summary>Checked commands waiting for their VM, at most; beyond it a command is answered "command queue full".</summary>
    public int CommandQueueLength { get; set; } = 64;

    /// <summary>Commands per second each VM accepts on average; 0 for no limit. Beyond it the answer is "command queue full".</summary>
    public double CommandsPerSecond { get; set; } = 20;

    /// <summary>Commands a VM accepts at once above its rate.</summary>
    public int CommandBurst { get; set; } = 40;

    /// <summary>How long a command may take before the reply is an error.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Announce the VMs to Home Assistant through MQTT discovery.</summary>
    public bool HomeAssistantDiscovery { get; set; }

    /// <summary>Home Assistant's discovery prefix.</summary>
    public string HomeAssistantPrefix { get; set; } = "homeassistant";

    /// <summary>The reply topic filter in effect.</summary>
    public string EffectiveReplyTopicFilter =>
        string.IsNullOrEmpty(ReplyTopicFilter) ? $"{TopicPrefix}/{EffectiveNode}/reply/#" : ReplyTopicFilter;

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
        Require(MaxBacklogAge == TimeSpan.Zero || MaxBacklogAge >= TimeSpan.FromSeconds(1),
            $"MaxBacklogAge {MaxBacklogAge} must be 0 (no age bound) or at least one second");
        Require(MaxBacklogEvents >= 0, $"MaxBacklogEvents {MaxBacklogEvents} must be 0 (no count bound) or positive");
        Require(CommandReplyExpiry >= TimeSpan.FromSeconds(1), $"CommandReplyExpiry {CommandReplyExpiry} must be at least one second");
        Require(CommandTimeout > TimeSpan.Zero, "CommandTimeout must be positive");
        Require(MaxCommandBytes is >= 256 and <= 32 * 1024, $"MaxCommandBytes {MaxCommandBytes} must be between 256 and 32768");
        Require(AllowedCommands is null || AllowedCommands.All(MqttTopics.IsValidCommandName),
            "AllowedCommands holds an empty name or one with spaces or wildcards (names match exactly)");
        Require(string.IsNullOrEmpty(ReplyTopicFilter) || Commands.ReplyTopicPolicy.IsValidFilter(ReplyTopicFilter),
            $"ReplyTopicFilter '{ReplyTopicFilter}' must be a topic ending in /# with no other wildcard");
        Require(CommandQueueLength is >= 1 and <= 10_000, $"CommandQueueLength {CommandQueueLength} must be between 1 and 10000");
        Require(CommandsPerSecond >= 0 && double.IsFinite(CommandsPerSecond), $"CommandsPerSecond {CommandsPerSecond} must be 0 (no limit) or positive");
        Require(CommandBurst >= 1, $"CommandBurst {CommandBurst} must be at least 1");
        foreach (var (name, file) in new[] { ("CaFile", Broker.Tls.CaFile), ("CertFile", Broker.Tls.CertFile), ("KeyFile", Broker.Tls.KeyFile) })
        {
            Require(file is null || File.Exists(file), $"Broker.Tls.{name} '{file}' does not exist");
        }
        Require((Broker.Tls.CertFile is null) == (Broker.Tls.KeyFile is null), "Broker.Tls needs both CertFile and KeyFile, or neither");
        Require(Broker.PasswordFile is null || File.Exists(Broker.PasswordFile), $"Broker.PasswordFile '{Broker.PasswordFile}' does not exist");
        return problems;
    }
}
