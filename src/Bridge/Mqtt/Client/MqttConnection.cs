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
    private const int ErrInvalid = 3;

    private readonly MqttConnectionSettings _settings;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Lock _acks = new();
    private readonly Dictionary<int, Action<int>> _awaitingAck = [];
    private volatile MosquittoHandle? _handle;
    private GCHandle _self;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task _supervisor = Task.CompletedTask;
    private volatile bool _connected;
    private volatile bool _replacing;
    private int _lastConnectFailure;
    private string? _lastLibraryLog;

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
            try
            {
                StartClient();
            }
            catch
            {
                _self.Free();
                throw;
            }
            _supervisor = Task.Run(() => SuperviseAsync(_stop.Token));
        }
    }

    /// <summary>Throws away every message libmosquitto still holds, in flight or queued, by replacing the client
    /// with a fresh one under the same client id (the broker keeps the session), and connects again. Their PUBACK
    /// callbacks never run; the caller sends again whatever it still needs. This is the only way to stop the
    /// library from re-sending, on every reconnect, a message the broker answers by dropping the connection.</summary>
    public void DiscardQueuedMessages()
    {
        lock (_gate)
        {
            if (_handle is not { } old || _stop.IsCancellationRequested) return;
            LogDiscarding(_settings.Broker.Host, _settings.Broker.Port);
            _replacing = true;
            MosquittoNative.DisconnectV5(old, 0, 0);
            MosquittoNative.LoopStop(old, false);
            _replacing = false;
            _connected = false;
            // A publish racing with this on another thread meets a disposed handle: ObjectDisposedException, caught.
            old.Dispose();
            lock (_acks) _awaitingAck.Clear();
            StartClient();
        }
    }

    /// <summary>mosquitto_new, options, callbacks, CONNECT and the network thread. The new client is in place
    /// before CONNECT, as the on-connect handlers use it.</summary>
    private void StartClient()
    {
        var previous = _handle;
        var handle = MosquittoNative.New(_settings.ClientId, !_settings.PersistentSession, GCHandle.ToIntPtr(_self));
        if (handle.IsInvalid)
        {
            throw new InvalidOperationException($"mosquitto_new failed for client id '{_settings.ClientId}'.");
        }
        try
        {
            Configure(handle);
            MosquittoCallbacks.Register(handle);
            _handle = handle;
            Connect(handle);
            Check(MosquittoNative.LoopStart(handle), "mosquitto_loop_start");
        }
        catch
        {
            // Publishers on other threads meet the previous (disposed) client, or none before the first start.
            _handle = previous;
            handle.Dispose();
            throw;
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
        catch (ObjectDisposedException)
        {
            // The client was replaced (DiscardQueuedMessages) or disposed meanwhile: not queued.
            return new MqttPublishResult(MqttPublishResult.ConnectionLost, 0);
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
}
