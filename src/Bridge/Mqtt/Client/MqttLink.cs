using System.Buffers;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>One live MQTT connection over an <see cref="MqttWire"/>: we own the packet identifiers and match each
/// PUBACK to its publish, answer incoming QoS 1 messages and keep the connection alive. MQTTnet's
/// <see cref="IMqttClient"/> allocated about 2 KB per QoS 1 publish (packet, awaitable, task chain, result, PUBACK
/// packet); here the PUBLISH packet is pooled and the PUBACK parsed in place. A link ends once (socket closed,
/// DISCONNECT from the broker, no answer within the keep-alive) and is not reused.</summary>
internal sealed class MqttLink
{
    private readonly MqttWire _wire;
    private readonly MqttConnection _owner;
    private readonly PendingPublishPool _pool;
    private readonly PacketIdTable _ids = new();
    private readonly CancellationTokenSource _end = new();
    private readonly TimeSpan _keepAlive;
    private long _received;
    private int _closed;

    private MqttLink(MqttWire wire, MqttConnection owner, PendingPublishPool pool, TimeSpan keepAlive, bool v5)
    {
        _wire = wire;
        _owner = owner;
        _pool = pool;
        _keepAlive = keepAlive;
        IsV5 = v5;
    }

    public bool IsV5 { get; }

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Opens the transport (TCP, TLS), sends CONNECT and reads the CONNACK. Returns the link (not yet
    /// reading) and the CONNACK; the link is null when the broker refused. Throws what the transport throws.</summary>
    public static async Task<(MqttLink? Link, MqttConnAckPacket Ack)> ConnectAsync(MqttClientOptions options, MqttConnectPacket connect,
        MqttConnection owner, PendingPublishPool pool, CancellationToken cancellationToken)
    {
        var wire = new MqttWire(options);
        try
        {
            // A read cut short by the timeout must not linger: closing the transport ends it.
            using var abort = cancellationToken.Register(wire.Dispose);
            await wire.ConnectAsync(cancellationToken).ConfigureAwait(false);
            if (!wire.Send(connect, flush: true)) throw new MqttCommunicationException("sending CONNECT failed", wire.Failure);
            var (packet, _, _) = await wire.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (packet is not MqttConnAckPacket ack)
            {
                throw new MqttProtocolViolationException($"the broker answered CONNECT with {packet?.GetType().Name ?? "PUBACK"} instead of CONNACK");
            }
            bool v5 = options.ProtocolVersion == MQTTnet.Formatter.MqttProtocolVersion.V500;
            bool accepted = v5 ? ack.ReasonCode == MqttConnectReasonCode.Success : ack.ReturnCode == MqttConnectReturnCode.ConnectionAccepted;
            if (!accepted)
            {
                wire.Dispose();
                return (null, ack);
            }
            cancellationToken.ThrowIfCancellationRequested();
            return (new MqttLink(wire, owner, pool, TimeSpan.FromSeconds(connect.KeepAlivePeriod), v5), ack);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            // Cut short by the timeout (or a stop): closing the transport made the read fail; say what happened.
            wire.Dispose();
            throw new OperationCanceledException("no CONNACK in time", e, cancellationToken);
        }
        catch
        {
            wire.Dispose();
            throw;
        }
    }

    /// <summary>Starts reading and keeping alive, until the link ends (lost, or <see cref="DisconnectAsync"/>: a clean
    /// stop must still be able to send its DISCONNECT, so the connection's stop does not end them).</summary>
    public void Run()
    {
        var token = _end.Token;
        _ = Task.Run(() => ReceiveLoopAsync(token), CancellationToken.None);
        _ = Task.Run(() => KeepAliveLoopAsync(token), CancellationToken.None);
    }

    /// <summary>Sends a prepared QoS 1 PUBLISH; without <paramref name="flush"/> it waits in the write buffer for the
    /// next <see cref="Flush"/>. The callback runs with the PUBACK's reason code; it does not run when the link ends
    /// first (the pending publish then goes back to the pool).</summary>
    public MqttPublishResult Publish(PendingPublish pending, bool flush)
    {
        if (!IsOpen)
        {
            _pool.Return(pending);
            return MqttPublishResult.NotConnected;
        }
        ushort id = _ids.Add(pending);
        if (id == 0)
        {
            _pool.Return(pending);
            return MqttPublishResult.NotConnected;
        }
        pending.Packet.PacketIdentifier = id;
        bool sent;
        try
        {
            sent = _wire.Send(pending.Packet, flush);
        }
        catch (Exception e) when (e is MqttProtocolViolationException or ArgumentException)
        {
            // Something the protocol cannot carry (a topic over 65,535 bytes): it can never be sent as it is.
            Forget(id);
            return MqttPublishResult.Refused(e.Message);
        }
        if (sent) return MqttPublishResult.Sent;
        Forget(id);
        if (_wire.Failure is { } failure) Close($"sending failed: {failure.Message}");
        return MqttPublishResult.NotConnected;
    }

    /// <summary>Writes what publishes without flush left in the buffer.</summary>
    public void Flush() => _wire.Flush();

    /// <summary>Sends SUBSCRIBE; the SUBACK's refusals are logged by the owner.</summary>
    public bool Subscribe(string pattern, MqttQualityOfServiceLevel qos)
    {
        if (!IsOpen) return false;
        ushort id = _ids.Add(pattern);
        if (id == 0) return false;
        var packet = new MqttSubscribePacket { PacketIdentifier = id, TopicFilters = [new MqttTopicFilter { Topic = pattern, QualityOfServiceLevel = qos }] };
        Send(packet);
        return true;
    }

    /// <summary>A clean end: DISCONNECT (so no last will), then the socket closes. Bounded by <paramref name="timeout"/>.</summary>
    public async Task DisconnectAsync(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        long since = Stopwatch.GetTimestamp();
        if (_wire.Send(new MqttDisconnectPacket { ReasonCode = MqttDisconnectReasonCode.NormalDisconnection }, flush: true))
        {
            // Written at once unless the socket is full; then wait for it, but not for ever (real time: socket I/O).
            while (_wire.Busy && _wire.Failure is null && Stopwatch.GetElapsedTime(since) < timeout)
            {
                await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
            }
        }
        Shutdown();
    }

    private void Send(MqttPacket packet)
    {
        if (!_wire.Send(packet, flush: true) && _wire.Failure is { } failure) Close($"sending failed: {failure.Message}");
    }

    private void Forget(ushort id)
    {
        if (_ids.Remove(id) is PendingPublish pending) _pool.Return(pending);
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var (packet, pubAckId, reason) = await _wire.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _received);
                switch (packet)
                {
                    case null:
                        // A PUBACK (parsed in place), or a PINGRESP (id 0).
                        if (pubAckId != 0) Acknowledged(pubAckId, reason);
                        break;
                    case MqttPublishPacket publish:
                        Received(publish);
                        break;
                    case MqttSubAckPacket subAck:
                        SubscribeAnswered(subAck);
                        break;
                    case MqttDisconnectPacket disconnect:
                        Close($"DISCONNECT {disconnect.ReasonCode}" + (string.IsNullOrEmpty(disconnect.ReasonString) ? "" : $": {disconnect.ReasonString}"));
                        return;
                    default:
                        // PUBREC and friends belong to QoS 2, which this client never uses.
                        Close($"unexpected {packet.GetType().Name} from the broker");
                        return;
                }
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Close(e.GetBaseException().Message);
        }
        catch (Exception)
        {
            // The link already ended.
        }
    }

    private void Acknowledged(ushort id, int reasonCode)
    {
        if (_ids.Remove(id) is not PendingPublish pending) return;
        var acknowledged = pending.TakeCallback();
        _pool.Return(pending);
        _owner.Acknowledged(acknowledged, reasonCode);
    }

    private void Received(MqttPublishPacket publish)
    {
        if (publish.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtLeastOnce)
        {
            Send(new MqttPubAckPacket { PacketIdentifier = publish.PacketIdentifier, ReasonCode = MqttPubAckReasonCode.Success });
        }
        _owner.Received(new MqttIncomingMessage(publish.Topic, BuffersExtensions.ToArray(publish.Payload), publish.ResponseTopic, publish.CorrelationData ?? [],
            publish.MessageExpiryInterval == 0 ? null : publish.MessageExpiryInterval));
    }

    private void SubscribeAnswered(MqttSubAckPacket subAck)
    {
        if (_ids.Remove(subAck.PacketIdentifier) is not string pattern) return;
        foreach (var code in subAck.ReasonCodes ?? [])
        {
            if ((int)code >= 0x80) _owner.SubscribeRefused(pattern, code.ToString());
        }
    }

    /// <summary>Sends PINGREQ every half keep-alive; a broker that has sent nothing at all (not even the PINGRESP)
    /// by the next tick is gone: the link ends, and the owner reconnects. Real time, like any socket timeout (the
    /// mirror's injected clock may be a test's virtual one, which would starve a healthy link).</summary>
    private async Task KeepAliveLoopAsync(CancellationToken cancellationToken)
    {
        if (_keepAlive <= TimeSpan.Zero) return;
        var interval = _keepAlive / 2;
        long atPing = -1;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                long received = Volatile.Read(ref _received);
                if (received == atPing)
                {
                    Close($"no answer from the broker to PINGREQ within {interval.TotalSeconds:0} s");
                    return;
                }
                atPing = received;
                // Flushes too: nothing a caller left unflushed waits longer than this.
                Send(MqttPingReqPacket.Instance);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping, or the link ended.
        }
    }

    /// <summary>Ends the link once: nothing more is sent, what awaited a PUBACK never gets one, the owner hears why.</summary>
    private void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        Shutdown();
        _owner.Lost(this, reason);
    }

    private void Shutdown()
    {
        _end.Cancel();
        _wire.Dispose();
        _ids.Clear(owner =>
        {
            if (owner is PendingPublish pending) _pool.Return(pending);
        });
    }
}
