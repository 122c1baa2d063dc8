using System.Text.Json;
using Appliance.Bridge.Mqtt;

namespace Appliance.Host.Status;

/// <summary>The <c>mqtt</c> section: link state, broker, backlog (committed but not yet acknowledged: how many, and how
/// long ago the oldest was received), counters.</summary>
internal sealed class MqttStatusSection(MqttMirror mirror, MqttMirrorOptions options) : IStatusSection
{
    public string Name => "mqtt";

    public void Write(Utf8JsonWriter w)
    {
        var c = mirror.Counters;
        w.WriteStartObject();
        w.WriteString("link", mirror.IsConnected ? "connected" : "disconnected");
        w.WriteString("broker", $"{options.Broker.Host}:{options.Broker.Port}");
        w.WriteNumber("backlog", mirror.BacklogDepth);
        w.WriteNumber("backlog-age-seconds", Math.Round(mirror.BacklogAge.TotalSeconds, 3));
        w.WriteNumber("delivered-through", mirror.DeliveredThrough);
        w.WriteNumber("delivered", c.Acknowledged);
        w.WriteNumber("published", c.Published);
        w.WriteNumber("rejected", c.Rejected);
        w.WriteNumber("quarantined", c.Quarantined);
        w.WriteNumber("lost-to-retention", c.LostToRetention);
        w.WriteNumber("skipped-backlog-limit", c.SkippedForBacklog);
        w.WriteNumber("commands", c.Commands);
        w.WriteNumber("command-errors", c.CommandErrors);
        w.WriteNumber("commands-queue-full", c.CommandsQueueFull);
        w.WriteNumber("commands-rate-limited", c.CommandsRateLimited);
        w.WriteNumber("reply-topics-refused", c.ReplyTopicsRefused);
        w.WriteStartArray("allowed-commands");
        foreach (string command in options.EffectiveAllowedCommands) w.WriteStringValue(command);
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
