using System.Runtime.InteropServices;
using Appliance.Bridge.Interop.Mosquitto;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>One MQTT client over libmosquitto, running on the library's own network thread (loop_start), which
/// reconnects with back-off by itself. Callbacks arrive on that thread; handlers must be quick and must not throw.</summary>
internal sealed partial class MqttConnection : IMosquittoCallbacks, IDisposable
{
    private const int OptProtocolVersion = 1;
    private const int PropMessageExpiry = 2;
    private const int PropResponseTopic = 8;
    private const int PropCorrelationData = 9;
    private const int PropSessionExpiry = 17;
    private const int ErrErrno = 14;
    private const int ErrNoConn = 4;

    private readonly MqttConnectionSettings _settings;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Lock _acks = new();
    private readonly Dictionary<int, Action<int>> _awaitingAck = [];
    private MosquittoHandle? _handle;
    private GCHandle _self;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task _supervisor = Task.CompletedTask;
    private volatile bool _connected;
    private int _lastConnectFailure;

    public MqttConnection(MqttConnectionSettings settings, ILogger logger, TimeProvider? timeProvider = null)
    {
        _settings = settings;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Connected (CONNACK success). Argument: the broker kept the session.</summary>
    public event Action<bool>? Connected;

    /// <summary>The connection was refused or lost. Argument: a readable reason.</summary>
    public event Action<string>? Disconnected;

    /// <summary>A message arrived on a subscription.</summary>
    public event Action<MqttIncomingMessage>? MessageReceived;

    public bool IsConnected => _connected;

    public bool IsV5 => _settings.Broker.Protocol == MqttProtocolVersion.V5;

    /// <summary>Configures the client, starts the network thread and begins connecting. Throws on bad settings
    /// (missing TLS files, libmosquitto absent); a broker that is down is retried, not an error.</summary>
    public void Start()
    {
        MosquittoLibrary.EnsureInitialized();
        lock (_gate)
        {
            if (_handle is not null) throw new InvalidOperationException("The MQTT connection is already started.");
            _self = GCHandle.Alloc(this);
            var handle = MosquittoNative.New(_settings.ClientId, !_settings.PersistentSession, GCHandle.ToIntPtr(_self));
            if (handle.IsInvalid)
            {
                _self.Free();
                throw new InvalidOperationException($"mosquitto_new failed for client id '{_settings.ClientId}'.");
            }
            _handle = handle;
            Configure(handle);
            MosquittoCallbacks.Register(handle);
            Connect(handle);
            Check(MosquittoNative.LoopStart(handle), "mosquitto_loop_start");
            _supervisor = Task.Run(() => SuperviseAsync(_stop.Token));
        }
    }

    /// <summary>Queues a QoS 1 message; returns libmosquitto's verdict and the packet id. <paramref name="acknowledged"/>
    /// runs on the network thread with the PUBACK reason code (&gt;= 0x80 is a rejection).</summary>
    public unsafe MqttPublishResult Publish(string topic, ReadOnlySpan<byte> payload, bool retain, Action<int>? acknowledged = null,
        TimeSpan? messageExpiry = null, ReadOnlySpan<byte> correlationData = default)
    {
        var handle = _handle ?? throw new InvalidOperationException("The MQTT connection is not started.");
        nint props = 0;
        try
        {
            if (IsV5 && messageExpiry is { } expiry && expiry > TimeSpan.Zero)
            {
                MosquittoNative.PropertyAddInt32(ref props, PropMessageExpiry, (uint)Math.Min(expiry.TotalSeconds, uint.MaxValue));
            }
            if (IsV5 && !correlationData.IsEmpty)
            {
                fixed (byte* c = correlationData)
                {
                    MosquittoNative.PropertyAddBinary(ref props, PropCorrelationData, c, (ushort)Math.Min(correlationData.Length, ushort.MaxValue));
                }
            }
            fixed (byte* p = payload)
            {
                // Held across the call so a PUBACK racing in on the network thread finds the callback registered.
                lock (_acks)
                {
                    int rc = MosquittoNative.PublishV5(handle, out int mid, topic, payload.Length, p, 1, retain, props);
                    var result = new MqttPublishResult(rc, mid);
                    if (result.Accepted && acknowledged is not null) _awaitingAck[mid] = acknowledged;
                    return result;
                }
            }
        }
        finally
        {
            if (props != 0) MosquittoNative.PropertyFreeAll(ref props);
        }
    }

    /// <summary>Publishes a request with an MQTT 5 response topic (used by tests and tools talking to the command topic).</summary>
    public unsafe MqttPublishResult PublishRequest(string topic, ReadOnlySpan<byte> payload, string responseTopic, ReadOnlySpan<byte> correlationData)
    {
        var handle = _handle ?? throw new InvalidOperationException("The MQTT connection is not started.");
        nint props = 0;
        try
        {
            MosquittoNative.PropertyAddString(ref props, PropResponseTopic, responseTopic);
            fixed (byte* c = correlationData)
            {
                MosquittoNative.PropertyAddBinary(ref props, PropCorrelationData, c, (ushort)correlationData.Length);
            }
            fixed (byte* p = payload)
            {
                int rc = MosquittoNative.PublishV5(handle, out int mid, topic, payload.Length, p, 1, false, props);
                return new MqttPublishResult(rc, mid);
            }
        }
        finally
        {
            MosquittoNative.PropertyFreeAll(ref props);
        }
    }

    /// <summary>Subscribes; returns libmosquitto's return code (0 = sent).</summary>
    public int Subscribe(string pattern, int qos)
    {
        var handle = _handle ?? throw new InvalidOperationException("The MQTT connection is not started.");
        return MosquittoNative.SubscribeV5(handle, out _, pattern, qos, 0, 0);
    }

    /// <summary>Sends DISCONNECT (so no last will), stops the network thread and frees the client.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _supervisor.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // Cancelled, as asked.
        }
        lock (_gate)
        {
            if (_handle is null) return;
            MosquittoNative.DisconnectV5(_handle, 0, 0);
            MosquittoNative.LoopStop(_handle, false);
            _handle.Dispose();
            _handle = null;
            _self.Free();
            _connected = false;
            lock (_acks) _awaitingAck.Clear();
        }
    }

    void IMosquittoCallbacks.OnConnect(int reasonCode, int flags)
    {
        try
        {
            if (reasonCode == 0)
            {
                _connected = true;
                _lastConnectFailure = 0;
                LogConnected(_settings.Broker.Host, _settings.Broker.Port, (flags & 1) != 0);
                Connected?.Invoke((flags & 1) != 0);
                return;
            }
            _connected = false;
            string reason = IsV5 ? MosquittoLibrary.Reason(reasonCode) : MosquittoLibrary.Connack(reasonCode);
            // Same refusal again and again (wrong password) is logged once, not on every back-off step.
            if (Interlocked.Exchange(ref _lastConnectFailure, reasonCode) != reasonCode)
            {
                LogRefused(_settings.Broker.Host, _settings.Broker.Port, reasonCode, reason);
            }
            Disconnected?.Invoke($"connection refused: {reason}");
        }
        catch (Exception e)
        {
            LogCallbackFailed("connect", e);
        }
    }

    void IMosquittoCallbacks.OnDisconnect(int reasonCode)
    {
        try
        {
            bool was = _connected;
            _connected = false;
            string reason = reasonCode == 0 ? "disconnected" : MosquittoLibrary.Error(reasonCode);
            if (was) LogLost(reason);
            Disconnected?.Invoke(reason);
        }
        catch (Exception e)
        {
            LogCallbackFailed("disconnect", e);
        }
    }

    void IMosquittoCallbacks.OnPublish(int mid, int reasonCode)
    {
        try
        {
            Action<int>? acknowledged;
            lock (_acks)
            {
                if (_awaitingAck.Remove(mid, out acknowledged) is false) return;
            }
            acknowledged(reasonCode);
        }
        catch (Exception e)
        {
            LogCallbackFailed("publish", e);
        }
    }

    void IMosquittoCallbacks.OnMessage(string topic, ReadOnlySpan<byte> payload, string? responseTopic, ReadOnlySpan<byte> correlationData)
    {
        try
        {
            MessageReceived?.Invoke(new MqttIncomingMessage(topic, payload.ToArray(), responseTopic, correlationData.ToArray()));
        }
        catch (Exception e)
        {
            LogCallbackFailed("message", e);
        }
    }

    /// <summary>libmosquitto's thread reconnects by itself after ordinary errors, but ends for good after some
    /// (an MQTT 5 CONNACK refusal such as a wrong password, TLS failures). So when the connection stays down longer
    /// than the library's own longest back-off, start it over, with a doubling pause.</summary>
    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        var firstPatience = _settings.Broker.ReconnectDelayMax + TimeSpan.FromSeconds(5);
        var patience = firstPatience;
        long downSince = _time.GetTimestamp();
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
                if (_connected)
                {
                    patience = firstPatience;
                    downSince = _time.GetTimestamp();
                    continue;
                }
                if (_time.GetElapsedTime(downSince) < patience) continue;
                Restart();
                downSince = _time.GetTimestamp();
                patience = TimeSpan.FromTicks(Math.Min(patience.Ticks * 2, TimeSpan.FromMinutes(10).Ticks));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposing.
        }
    }

    private void Restart()
    {
        lock (_gate)
        {
            if (_handle is not { } handle || _stop.IsCancellationRequested) return;
            LogRestarting(_settings.Broker.Host, _settings.Broker.Port);
            // DISCONNECT state makes a still-running loop end, so the join in loop_stop returns.
            MosquittoNative.DisconnectV5(handle, 0, 0);
            MosquittoNative.LoopStop(handle, false);
            try
            {
                Connect(handle);
            }
            catch (InvalidOperationException e)
            {
                LogCallbackFailed("restart", e);
            }
            MosquittoNative.LoopStart(handle);
        }
    }

    private unsafe void Configure(MosquittoHandle handle)
    {
        var broker = _settings.Broker;
        Check(MosquittoNative.IntOption(handle, OptProtocolVersion, (int)broker.Protocol), "protocol version");
        Check(MosquittoNative.MaxInflightMessagesSet(handle, (uint)Math.Max(1, _settings.MaxInflight)), "max inflight");
        Check(MosquittoNative.ReconnectDelaySet(handle, Seconds(broker.ReconnectDelay), Seconds(broker.ReconnectDelayMax), true), "reconnect delay");
        if (!string.IsNullOrEmpty(broker.Username) || _settings.Password is not null)
        {
            Check(MosquittoNative.UsernamePwSet(handle, broker.Username, _settings.Password), "username/password");
        }
        if (broker.Tls.Enabled) ConfigureTls(handle, broker.Tls);
        if (_settings.Will is var (topic, payload))
        {
            fixed (byte* p = payload)
            {
                Check(MosquittoNative.WillSetV5(handle, topic, payload.Length, p, 1, true, 0), "last will");
            }
        }
    }

    private static void ConfigureTls(MosquittoHandle handle, MqttTlsOptions tls)
    {
        foreach (var file in new[] { tls.CaFile, tls.CertFile, tls.KeyFile })
        {
            if (file is not null && !File.Exists(file)) throw new FileNotFoundException($"MQTT TLS file not found: {file}", file);
        }
        if ((tls.CertFile is null) != (tls.KeyFile is null))
        {
            throw new ArgumentException("MQTT TLS needs both a client certificate and its key, or neither.");
        }
        Check(MosquittoNative.TlsSet(handle, tls.CaFile, null, tls.CertFile, tls.KeyFile, 0), "TLS files");
        Check(MosquittoNative.TlsOptsSet(handle, 1, null, null), "TLS options");
        Check(MosquittoNative.TlsInsecureSet(handle, !tls.VerifyHostname), "TLS hostname verification");
    }

    private void Connect(MosquittoHandle handle)
    {
        var broker = _settings.Broker;
        nint props = 0;
        try
        {
            if (IsV5)
            {
                MosquittoNative.PropertyAddInt32(ref props, PropSessionExpiry,
                    _settings.PersistentSession ? Seconds(broker.SessionExpiry) : 0);
            }
            int rc = MosquittoNative.ConnectBindV5(handle, broker.Host, broker.Port, Seconds(broker.KeepAlive) is var k && k < 5 ? 5 : (int)k, null, props);
            // A broker that is down now is not a configuration error: the network thread keeps retrying.
            if (rc is ErrErrno or ErrNoConn or 15 /* EAI */)
            {
                LogConnectDeferred(broker.Host, broker.Port, MosquittoLibrary.Error(rc));
                return;
            }
            Check(rc, $"connect to {broker.Host}:{broker.Port}");
        }
        finally
        {
            if (props != 0) MosquittoNative.PropertyFreeAll(ref props);
        }
    }

    private static uint Seconds(TimeSpan span) => (uint)Math.Clamp(span.TotalSeconds, 1, uint.MaxValue);

    private static void Check(int rc, string what)
    {
        if (rc != 0) throw new InvalidOperationException($"MQTT {what} failed: {MosquittoLibrary.Error(rc)} ({rc}).");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connected to {Host}:{Port} (session present: {SessionPresent})")]
    private partial void LogConnected(string host, int port, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker {Host}:{Port} refused the connection: {Reason} ({Code}); retrying with back-off")]
    private partial void LogRefused(string host, int port, int code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection lost: {Reason}; reconnecting")]
    private partial void LogLost(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port} not reachable yet ({Reason}); retrying in the background")]
    private partial void LogConnectDeferred(string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection to {Host}:{Port} still down; starting it over")]
    private partial void LogRestarting(string host, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT {Callback} handler failed")]
    private partial void LogCallbackFailed(string callback, Exception exception);
}
