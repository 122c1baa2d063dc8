using System.Collections.Concurrent;
using Appliance.Bridge.Mqtt.Client;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Mqtt.HomeAssistant;

/// <summary>Announces VMs to Home Assistant: retained configs, sent on every (re)connect, when Home Assistant says
/// <c>online</c> on its status topic, and when a VM is first seen.</summary>
internal sealed class DiscoveryPublisher(MqttMirrorOptions options, MqttTopics topics, VmStatusBoard board,
    IVmCommandGateway gateway, MqttConnection connection)
{
    private readonly ConcurrentDictionary<string, byte> _announced = new(StringComparer.Ordinal);

    /// <summary>Home Assistant's birth topic, to subscribe to.</summary>
    public string StatusTopic => options.HomeAssistantPrefix + "/status";

    /// <summary>Sends every VM's configs.</summary>
    public void AnnounceAll()
    {
        if (!connection.IsConnected) return;
        foreach (var vm in gateway.VmNames.Concat(board.All.Select(s => s.Vm)).Distinct(StringComparer.Ordinal))
        {
            Announce(vm);
        }
    }

    /// <summary>Sends a VM's configs if it was not announced yet on this connection.</summary>
    public void VmSeen(string vm)
    {
        if (connection.IsConnected && !_announced.ContainsKey(vm) && board.Get(vm) is not null) Announce(vm);
    }

    /// <summary>Handles a message on <see cref="StatusTopic"/>: Home Assistant restarted, so announce again.</summary>
    public void HomeAssistantStatus(ReadOnlySpan<byte> payload)
    {
        if (payload.SequenceEqual("online"u8)) AnnounceAll();
    }

    /// <summary>The connection dropped: the next connect announces everything again.</summary>
    public void Reset() => _announced.Clear();

    private void Announce(string vm)
    {
        foreach (var (topic, payload) in DiscoveryPayloads.ForVm(options.HomeAssistantPrefix, topics, vm))
        {
            connection.Publish(topic, payload, retain: true);
        }
        _announced[vm] = 0;
    }
}
