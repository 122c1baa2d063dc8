namespace Appliance.Bridge.Mqtt;

/// <summary>The event topic of each (VM, event name) pair, built once instead of on every message. A box has a few
/// VMs and QMP a few dozen event names; the cache starts over if it ever grows past <see cref="MaxEntries"/> (event
/// names come from outside). Not thread-safe: the forwarder's loop alone uses it.</summary>
internal sealed class EventTopicCache(MqttTopics topics)
{
    public const int MaxEntries = 4096;

    private readonly Dictionary<(string Vm, string Event), string> _topics = [];

    public string For(string vm, string eventName)
    {
        if (_topics.TryGetValue((vm, eventName), out string? topic)) return topic;
        if (_topics.Count >= MaxEntries) _topics.Clear();
        topic = topics.Event(vm, eventName);
        _topics[(vm, eventName)] = topic;
        return topic;
    }
}
