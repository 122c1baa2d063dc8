using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>One MQTT client over MQTTnet's <see cref="IMqttClient"/>, kept connected by our own reconnect loop
/// (MQTTnet 5 has none). Publishing is fire-and-forget for the caller: the payload is copied into a pooled buffer
/// that MQTTnet writes to the socket without a further copy, and the PUBACK reason code comes back through a callback.
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
    private IMqttClient? _client;
    private MqttClientOptions? _options;
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

    public bool IsConnected => _client?.IsConnected == true && !_stopping;

    public bool IsV5 => _settings.Broker.Protocol == MqttProtocolVersion.V5;

    /// <summary>Builds the client options and starts the reconnect loop. Throws on bad settings (missing or
    /// unreadable TLS files); a broker that is down is retried, not an error.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_client is not null) throw new InvalidOperationException("The MQTT connection is already started.");
            _options = BuildOptions();
            var client = new MqttClientFactory().CreateMqttClient();
            client.ConnectedAsync += OnConnectedAsync;
            client.DisconnectedAsync += OnDisconnectedAsync;
            client.ApplicationMessageReceivedAsync += OnMessageAsync;
            _client = client;
            _loop = Task.Run(() => KeepConnectedAsync(client, _stop.Token));
        }
    }

    /// <summary>Sends a QoS 1 message now. <paramref name="acknowledged"/> runs with the PUBACK reason code
    /// (&gt;= 0x80 is a rejection); it does not run when the connection ends before the PUBACK.</summary>
    public MqttPublishResult Publish(string topic, ReadOnlySpan<byte> payload, bool retain, Action<int>? acknowledged = null,
        TimeSpan? messageExpiry = null, ReadOnlySpan<byte> correlationData = default)
    {
        var pending = _pending.Rent(payload, acknowledged);
        var message = pending.Message;
        message.Topic = topic;
        message.Retain = retain;
        if (IsV5)
        {
            message.MessageExpiryInterval = messageExpiry is { } expiry && expiry > TimeSpan.Zero
                ? (uint)Math.Min(Math.Ceiling(expiry.TotalSeconds), uint.MaxValue)
                : 0;
            // Correlation data is rare (command replies): a small array then is no matter.
            message.CorrelationData = correlationData.IsEmpty ? null : correlationData.ToArray();
        }
        return Send(pending);
    }

    /// <summary>Publishes a request with an MQTT 5 response topic (used by tests and tools talking to the command topic).</summary>
    public MqttPublishResult PublishRequest(string topic, ReadOnlySpan<byte> payload, string responseTopic, ReadOnlySpan<byte> correlationData)
    {
        var pending = _pending.Rent(payload, null);
        var message = pending.Message;
        message.Topic = topic;
        message.ResponseTopic = responseTopic;
        message.CorrelationData = correlationData.ToArray();
        return Send(pending);
    }

    private MqttPublishResult Send(PendingPublish pending)
    {
        if (_client is not { } client || _stopping)
        {
            _pending.Return(pending);
            return MqttPublishResult.NotConnected;
        }
        Task<MqttClientPublishResult> sending;
        try
        {
            // MQTTnet writes the packet on this thread when the socket takes it at once, and copies nothing.
            sending = client.PublishAsync(pending.Message, CancellationToken.None);
        }
        catch (MqttClientNotConnectedException)
        {
            _pending.Return(pending);
            return MqttPublishResult.NotConnected;
        }
        catch (ObjectDisposedException)
        {
            _pending.Return(pending);
            return MqttPublishResult.NotConnected;
        }
        catch (Exception e) when (e is MqttProtocolViolationException or ArgumentException)
        {
            // An invalid topic, or a feature the protocol version lacks: it can never be sent as it is.
            _pending.Return(pending);
            return MqttPublishResult.Refused(e.Message);
        }
        pending.WhenDone(this, sending);
        return MqttPublishResult.Sent;
    }

    /// <summary>Runs on MQTTnet's completion of a publish: the PUBACK's reason code, or nothing when the
    /// connection ended first.</summary>
    internal void Completed(Task<MqttClientPublishResult> sending, Action<int>? acknowledged)
    {
        if (acknowledged is null || !sending.IsCompletedSuccessfully) return;
        try
        {
            acknowledged((int)sending.Result.ReasonCode);
        }
        catch (Exception e)
        {
            LogHandlerFailed("PUBACK", e);
        }
    }

    /// <summary>Subscribes (QoS <paramref name="qos"/>); 0 when the SUBSCRIBE went out, 1 when not connected.</summary>
    public int Subscribe(string pattern, int qos)
    {
        if (_client is not { } client || !client.IsConnected) return 1;
        var options = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(pattern, (MqttQualityOfServiceLevel)qos).Build();
        _ = SubscribeAsync(client, options, pattern);
        return 0;
    }

    private async Task SubscribeAsync(IMqttClient client, MqttClientSubscribeOptions options, string pattern)
    {
        try
        {
            var result = await client.SubscribeAsync(options, _stop.Token).ConfigureAwait(false);
            foreach (var item in result.Items)
            {
                if ((int)item.ResultCode >= 0x80) LogSubscribeRefused(pattern, item.ResultCode.ToString());
            }
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended meanwhile; the on-connect handler subscribes again.
        }
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
        if (_client is not { } client) return;
        if (client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(DisconnectTimeout);
            try
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.NormalDisconnection },
                    timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
            {
                // The connection was going anyway; the broker will publish the last will.
            }
        }
        client.Dispose();
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
