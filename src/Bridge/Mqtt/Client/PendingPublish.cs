using System.Buffers;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>One QoS 1 publish on its way: the PUBLISH packet written to the socket, the buffer its payload lives in
/// until the PUBACK (the packet refers to it, nothing copies it again), and the caller's callback. Reused through
/// <see cref="PendingPublishPool"/>, so the hot path allocates none of it.</summary>
internal sealed class PendingPublish
{
    private static readonly MqttUserProperty ReplayedTrue = new(EventProperties.Replayed, "true"u8.ToArray().AsMemory());
    private static readonly MqttUserProperty ReplayedFalse = new(EventProperties.Replayed, "false"u8.ToArray().AsMemory());

    private byte[] _buffer = [];
    private byte[] _eventId = [];
    private readonly List<MqttUserProperty> _properties = new(2);
    private Action<int>? _acknowledged;

    public MqttPublishPacket Packet { get; } = new() { QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce };

    /// <summary>The buffers' capacity: a pool keeps only small ones.</summary>
    public int Capacity => _buffer.Length + _eventId.Length;

    /// <summary>Copies <paramref name="payload"/> into the buffer and clears what the last use set.</summary>
    public void Prepare(string topic, ReadOnlySpan<byte> payload, bool retain, Action<int>? acknowledged)
    {
        if (_buffer.Length < payload.Length) _buffer = new byte[Math.Max(payload.Length, 256)];
        payload.CopyTo(_buffer);
        var p = Packet;
        p.Topic = topic;
        p.Retain = retain;
        p.Payload = new ReadOnlySequence<byte>(_buffer, 0, payload.Length);
        p.PacketIdentifier = 0;
        p.ResponseTopic = null;
        p.CorrelationData = null;
        p.MessageExpiryInterval = 0;
        p.UserProperties = null;
        _acknowledged = acknowledged;
    }

    /// <summary>MQTT 5 user properties of an event: its id (copied into a buffer this object keeps, so only the small
    /// property object is new per message) and whether it is replayed.</summary>
    public void SetEventProperties(ReadOnlySpan<byte> eventId, bool replayed)
    {
        if (_eventId.Length < eventId.Length) _eventId = new byte[Math.Max(eventId.Length, 64)];
        eventId.CopyTo(_eventId);
        _properties.Clear();
        _properties.Add(new MqttUserProperty(EventProperties.EventId, _eventId.AsMemory(0, eventId.Length)));
        _properties.Add(replayed ? ReplayedTrue : ReplayedFalse);
        Packet.UserProperties = _properties;
    }

    /// <summary>Takes the callback out (once): the PUBACK arrived.</summary>
    public Action<int>? TakeCallback()
    {
        var acknowledged = _acknowledged;
        _acknowledged = null;
        return acknowledged;
    }
}

/// <summary>Reusable <see cref="PendingPublish"/> objects; holds at most a bounded number, and no large buffers.</summary>
internal sealed class PendingPublishPool
{
    private const int MaxKept = 1024;
    private const int MaxKeptBuffer = 16 * 1024;

    private readonly Lock _gate = new();
    private readonly Stack<PendingPublish> _free = new();

    public PendingPublish Rent(string topic, ReadOnlySpan<byte> payload, bool retain, Action<int>? acknowledged)
    {
        PendingPublish? pending;
        lock (_gate)
        {
            _free.TryPop(out pending);
        }
        pending ??= new PendingPublish();
        pending.Prepare(topic, payload, retain, acknowledged);
        return pending;
    }

    public void Return(PendingPublish pending)
    {
        pending.TakeCallback();
        if (pending.Capacity > MaxKeptBuffer) return;
        lock (_gate)
        {
            if (_free.Count < MaxKept) _free.Push(pending);
        }
    }
}
