using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>One MQTT client, kept connected by our own reconnect loop, each connection an <see cref="MqttLink"/> over
/// MQTTnet's low-level client (MQTTnet 5 has no reconnecting client, and its high-level client allocated about 2 KB
/// per QoS 1 publish). Publishing is fire-and-forget for the caller: the payload is copied into a pooled buffer that
/// is written to the socket without a further copy, and the PUBACK reason code comes back through a callback.
/// Nothing is queued while disconnected, and what was in flight at a disconnect is not re-sent: the caller sends
/// again what it still needs (the event forwarder re-sends from its cursor). Events and callbacks arrive on pool
/// threads; handlers must be quick and must not throw.</summary>
internal sealed partial class MqttConnection : IDisposable, IAsyncDisposable
{
    /// <summary>How long a clean stop waits for the DISCONNECT to go out.</summary>
    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(1);

    private readonly MqttConnectionSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Signal _lost = new();
    private readonly PendingPublishPool _pending = new();
    private readonly Lock _gate = new();
    private MqttClientOptions? _options;
    private MqttConnectPacket? _connect;
    private volatile MqttLink? _link;
    private Task _loop = Task.CompletedTask;
    private Task? _stopped;
    private volatile bool _stopping;

    public MqttConnection(MqttConnectionSettings settings, ILogger logger, TimeProvider? timeProvider = null)
    {
        _settings = settings;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Connected (CONNACK success). Argument: the broker kept the session.</summary>
    public event Action<bool>? Connected;

    /// <summary>The connection was refused or lost (not raised by a clean stop). Argument: a readable reason.</summary>
    public event Action<string>? Disconnected;

    /// <summary>A message arrived on a subscription.</summary>
    public event Action<MqttIncomingMessage>? MessageReceived;

    public bool IsConnected => _link?.IsOpen == true && !_stopping;

    public bool IsV5 => _settings.Broker.Protocol == MqttProtocolVersion.V5;

    /// <summary>Builds the client options and starts the reconnect loop. Throws on bad settings (missing or
    /// unreadable TLS files); a broker that is down is retried, not an error.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_options is not null) throw new InvalidOperationException("The MQTT connection is already started.");
            _options = BuildOptions();
            _connect = MqttConnectPacketFactory.Create(_options);
            _loop = Task.Run(() => KeepConnectedAsync(_stop.Token));
        }
    }

    /// <summary>Sends a QoS 1 message now. <paramref name="acknowledged"/> runs with the PUBACK reason code
    /// (&gt;= 0x80 is a rejection; always 0 on MQTT 3.1.1); it does not run when the connection ends before the
    /// PUBACK. On MQTT 5, a non-empty <paramref name="eventId"/> adds the event's user properties (id, replayed).
    /// With <paramref name="flush"/> false the message waits in the write buffer until <see cref="Flush"/> (or the
    /// next flushed message): a batch then goes to the socket in one write.</summary>
    public MqttPublishResult Publish(string topic, ReadOnlySpan<byte> payload, bool retain, Action<int>? acknowledged = null,
        TimeSpan? messageExpiry = null, ReadOnlySpan<byte> correlationData = default, ReadOnlySpan<byte> eventId = default, bool replayed = false,
        bool flush = true)
    {
        if (Refuse(topic) is { } refused) return refused;
        var pending = _pending.Rent(topic, payload, retain, acknowledged);
        if (IsV5)
        {
            var packet = pending.Packet;
            packet.MessageExpiryInterval = messageExpiry is { } expiry && expiry > TimeSpan.Zero
                ? (uint)Math.Min(Math.Ceiling(expiry.TotalSeconds), uint.MaxValue)
                : 0;
            // Correlation data is rare (command replies): a small array then is no matter.
            packet.CorrelationData = correlationData.IsEmpty ? null : correlationData.ToArray();
            if (!eventId.IsEmpty) pending.SetEventProperties(eventId, replayed);
        }
        return Send(pending, flush);
    }

    /// <summary>Publishes a request with an MQTT 5 response topic (used by tests and tools talking to the command topic).</summary>
    public MqttPublishResult PublishRequest(string topic, ReadOnlySpan<byte> payload, string responseTopic, ReadOnlySpan<byte> correlationData)
    {
        if (Refuse(topic) is { } refused) return refused;
        var pending = _pending.Rent(topic, payload, retain: false, acknowledged: null);
        pending.Packet.ResponseTopic = responseTopic;
        pending.Packet.CorrelationData = correlationData.ToArray();
        return Send(pending, flush: true);
    }

    /// <summary>An invalid topic can never be sent as it is; refused before it reaches the socket (where the broker
    /// would drop the connection for it).</summary>
    private static MqttPublishResult? Refuse(string topic)
    {
        try
        {
            MqttTopicValidator.ThrowIfInvalid(topic);
            return null;
        }
        catch (MqttProtocolViolationException e)
        {
            return MqttPublishResult.Refused(e.Message);
        }
    }

    private MqttPublishResult Send(PendingPublish pending, bool flush)
    {
        if (_link is not { } link || _stopping)
        {
            _pending.Return(pending);
            return MqttPublishResult.NotConnected;
        }
        return link.Publish(pending, flush);
    }

    /// <summary>Writes what was published without flush.</summary>
    public void Flush() => _link?.Flush();

    /// <summary>A PUBACK arrived (on the link's receive loop).</summary>
    internal void Acknowledged(Action<int>? acknowledged, int reasonCode)
    {
        if (acknowledged is null) return;
        try
        {
            acknowledged(reasonCode);
        }
        catch (Exception e)
        {
            LogHandlerFailed("PUBACK", e);
        }
    }

    /// <summary>A message arrived on a subscription (on the link's receive loop).</summary>
    internal void Received(MqttIncomingMessage message)
    {
        try
        {
            MessageReceived?.Invoke(message);
        }
        catch (Exception e)
        {
            LogHandlerFailed("message", e);
        }
    }

    internal void SubscribeRefused(string pattern, string reason) => LogSubscribeRefused(pattern, reason);

    /// <summary>Subscribes (QoS <paramref name="qos"/>, at most 1); 0 when the SUBSCRIBE went out, 1 when not connected.</summary>
    public int Subscribe(string pattern, int qos)
    {
        if (_link is not { } link || _stopping) return 1;
        return link.Subscribe(pattern, (MqttQualityOfServiceLevel)Math.Clamp(qos, 0, 1)) ? 0 : 1;
    }

    /// <summary>A clean stop: ends the reconnect loop and sends DISCONNECT (so no last will, and no "lost" warning).
    /// Bounded by <see cref="DisconnectTimeout"/>.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            return _stopped ??= StopCoreAsync();
        }
    }

    private async Task StopCoreAsync()
    {
        _stopping = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_link is { } link) await link.DisconnectAsync(DisconnectTimeout).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    public void Dispose()
    {
        // Hosts call Dispose after StopAsync has run; then this returns at once.
        if (!StopAsync().Wait(DisconnectTimeout + TimeSpan.FromSeconds(1)))
        {
            LogStopSlow();
            return;
        }
        _stop.Dispose();
    }
}
