using System.Buffers;
using System.Runtime.CompilerServices;
using MQTTnet;
using MQTTnet.Protocol;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>One publish on its way: the message MQTTnet sends, the buffer its payload lives in until the PUBACK
/// (MQTTnet writes it to the socket from there, without a copy), and the caller's callback. Reused through
/// <see cref="PendingPublishPool"/>, so the hot path allocates none of it.</summary>
internal sealed class PendingPublish
{
    private readonly PendingPublishPool _pool;
    private readonly Action _onCompleted;
    private byte[] _buffer = [];
    private Action<int>? _acknowledged;
    private Task<MqttClientPublishResult>? _sending;
    private MqttConnection? _connection;

    public PendingPublish(PendingPublishPool pool)
    {
        _pool = pool;
        _onCompleted = OnCompleted;
    }

    public MqttApplicationMessage Message { get; } = new() { QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce };

    /// <summary>The buffer's capacity: a pool keeps only small ones.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Copies <paramref name="payload"/> into the buffer and clears what the last use set.</summary>
    public void Prepare(ReadOnlySpan<byte> payload, Action<int>? acknowledged)
    {
        if (_buffer.Length < payload.Length) _buffer = new byte[Math.Max(payload.Length, 256)];
        payload.CopyTo(_buffer);
        Message.Payload = new ReadOnlySequence<byte>(_buffer, 0, payload.Length);
        Message.ResponseTopic = null;
        Message.CorrelationData = null;
        Message.MessageExpiryInterval = 0;
        _acknowledged = acknowledged;
    }

    /// <summary>Hands the result of <paramref name="sending"/> to <paramref name="connection"/> when it completes,
    /// then returns to the pool.</summary>
    public void WhenDone(MqttConnection connection, Task<MqttClientPublishResult> sending)
    {
        _connection = connection;
        _sending = sending;
        // No execution context and no closure: the cached delegate is the continuation.
        ConfiguredTaskAwaitable<MqttClientPublishResult>.ConfiguredTaskAwaiter awaiter = sending.ConfigureAwait(false).GetAwaiter();
        if (awaiter.IsCompleted) OnCompleted();
        else awaiter.UnsafeOnCompleted(_onCompleted);
    }

    private void OnCompleted()
    {
        var sending = _sending!;
        var acknowledged = _acknowledged;
        var connection = _connection!;
        _sending = null;
        _acknowledged = null;
        _connection = null;
        // Observed here, so a publish failed by a disconnect is no unobserved task exception.
        _ = sending.Exception;
        _pool.Return(this);
        connection.Completed(sending, acknowledged);
    }
}

/// <summary>Reusable <see cref="PendingPublish"/> objects; holds at most a bounded number, and no large buffers.</summary>
internal sealed class PendingPublishPool
{
    private const int MaxKept = 1024;
    private const int MaxKeptBuffer = 16 * 1024;

    private readonly Lock _gate = new();
    private readonly Stack<PendingPublish> _free = new();

    public PendingPublish Rent(ReadOnlySpan<byte> payload, Action<int>? acknowledged)
    {
        PendingPublish? pending = null;
        lock (_gate)
        {
            _free.TryPop(out pending);
        }
        pending ??= new PendingPublish(this);
        pending.Prepare(payload, acknowledged);
        return pending;
    }

    public void Return(PendingPublish pending)
    {
        if (pending.Capacity > MaxKeptBuffer) return;
        lock (_gate)
        {
            if (_free.Count < MaxKept) _free.Push(pending);
        }
    }
}
