using System.Buffers;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>MQTT packets over one transport: MQTTnet's TCP/TLS channel and its packet encoder and decoder, with our
/// own framing around them. Writes are coalesced: packets are encoded into a buffer and go to the socket in one write
/// per <see cref="Flush"/> (a batch of 128 events is one syscall, not 256), and a write that finds the socket full
/// finishes in the background while new packets gather in a second buffer. Reads fill a large buffer and cut packets
/// out of it; a PUBACK is parsed in place and allocates nothing. Sending is thread-safe; reading is one loop's.</summary>
internal sealed class MqttWire : IDisposable
{
    /// <summary>Past this many unwritten bytes (a socket stuck full), sends are refused until the writes catch up.</summary>
    private const int MaxBuffered = 8 * 1024 * 1024;

    /// <summary>The largest packet accepted from the broker (commands and their replies are small).</summary>
    private const int MaxIncoming = 16 * 1024 * 1024;

    /// <summary>Unflushed packets are written once this many bytes gather: a flood goes out in writes of about 8 KiB
    /// (30 events), which measured twice the rate of one write per 128-event batch (mosquitto answers a steady stream
    /// sooner than a burst).</summary>
    private const int FlushAt = 8 * 1024;

    private const byte PubAckType = 4;
    private const byte PingRespType = 13;

    private readonly MqttTcpChannel _channel;
    private readonly MqttPacketFormatterAdapter _encoder;
    private readonly MqttPacketFormatterAdapter _decoder;
    private readonly Lock _gate = new();
    private readonly Action<Task> _written;
    private byte[] _pending = new byte[16 * 1024];
    private int _pendingLength;
    private byte[] _spare = new byte[16 * 1024];
    private bool _writing;
    private bool _flushWanted;
    private Exception? _failed;
    private byte[] _in = new byte[64 * 1024];
    private int _inStart;
    private int _inEnd;

    public MqttWire(MqttClientOptions options)
    {
        _channel = new MqttTcpChannel(options);
        _encoder = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(4096, 65536));
        _decoder = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(256, 4096));
        _written = Written;
    }

    /// <summary>The last write failed (the connection is gone); null while writes go through.</summary>
    public Exception? Failure
    {
        get { lock (_gate) return _failed; }
    }

    /// <summary>True while bytes wait to be written (buffered, or a write is under way).</summary>
    public bool Busy
    {
        get { lock (_gate) return _writing || _pendingLength > 0; }
    }

    /// <summary>Opens TCP and, if configured, TLS. Throws what the socket or the handshake throws.</summary>
    public Task ConnectAsync(CancellationToken cancellationToken) => _channel.ConnectAsync(cancellationToken);

    /// <summary>Encodes <paramref name="packet"/> into the write buffer (the packet is not used afterwards); with
    /// <paramref name="flush"/>, starts writing what is buffered. False when the connection failed or the buffer is
    /// full. Throws <see cref="MqttProtocolViolationException"/> for a packet the protocol version cannot carry.</summary>
    public bool Send(MqttPacket packet, bool flush)
    {
        lock (_gate)
        {
            if (_failed is not null || _pendingLength > MaxBuffered) return false;
            try
            {
                var encoded = _encoder.Encode(packet);
                Append(encoded.Packet);
                foreach (var segment in encoded.Payload) Append(segment.Span);
            }
            finally
            {
                _encoder.Cleanup();
            }
            if (!flush && _pendingLength < FlushAt) return true;
        }
        Flush();
        return true;
    }

    /// <summary>Starts writing what is buffered (or marks it for the write under way to pick up).</summary>
    public void Flush()
    {
        byte[] batch;
        int length;
        lock (_gate)
        {
            if (_pendingLength == 0 || _failed is not null) return;
            if (_writing)
            {
                _flushWanted = true;
                return;
            }
            (batch, length) = TakePending();
        }
        Write(batch, length);
    }

    /// <summary>Reads the next packet. A PUBACK is not materialized: it comes back as <c>PubAckId</c> and
    /// <c>PubAckReason</c> with a null packet; a PINGRESP likewise with id 0. Throws
    /// <see cref="MqttCommunicationException"/> when the broker closed the connection.</summary>
    public async ValueTask<(MqttPacket? Packet, ushort PubAckId, int PubAckReason)> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryCut(out byte header, out int bodyStart, out int bodyLength, out int totalLength))
            {
                var body = _in.AsSpan(bodyStart, bodyLength);
                int type = header >> 4;
                if (type == PubAckType && bodyLength >= 2)
                {
                    ushort id = (ushort)((body[0] << 8) | body[1]);
                    // MQTT 3.1.1 has no reason code, and MQTT 5 leaves it out for success.
                    int reason = bodyLength >= 3 && _decoder.ProtocolVersion == MQTTnet.Formatter.MqttProtocolVersion.V500 ? body[2] : 0;
                    return (null, id, reason);
                }
                if (type == PingRespType) return (null, 0, 0);
                var copy = body.ToArray();
                var packet = _decoder.Decode(new ReceivedMqttPacket(header, new ArraySegment<byte>(copy), totalLength));
                return (packet, 0, 0);
            }
            Compact();
            int read = await _channel.ReadAsync(_in, _inEnd, _in.Length - _inEnd, cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new MqttCommunicationException("the broker closed the connection");
            _inEnd += read;
        }
    }

    /// <summary>Closes the transport: a read under way ends, and nothing more is written.</summary>
    public void Dispose()
    {
        lock (_gate) _failed ??= new ObjectDisposedException(nameof(MqttWire));
        _channel.Dispose();
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_pending.Length - _pendingLength < bytes.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + bytes.Length));
        }
        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += bytes.Length;
    }

    /// <summary>Swaps the filled buffer for the spare one; under the lock.</summary>
    private (byte[] Batch, int Length) TakePending()
    {
        var batch = _pending;
        int length = _pendingLength;
        _pending = _spare;
        _pendingLength = 0;
        _spare = batch;
        _writing = true;
        _flushWanted = false;
        return (batch, length);
    }

    /// <summary>Writes batches until nothing flushed is left; a write that does not finish at once continues in
    /// <see cref="Written"/>.</summary>
    private void Write(byte[] batch, int length)
    {
        while (true)
        {
            Task writing;
            try
            {
                writing = _channel.WriteAsync(new ReadOnlySequence<byte>(batch, 0, length), true, CancellationToken.None);
            }
            catch (Exception e)
            {
                writing = Task.FromException(e);
            }
            if (!writing.IsCompleted)
            {
                writing.ContinueWith(_written, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return;
            }
            if (!Next(writing, out batch, out length)) return;
        }
    }

    private void Written(Task writing)
    {
        if (Next(writing, out var batch, out int length)) Write(batch, length);
    }

    /// <summary>After a write: records a failure, or takes the next batch if a flush was asked for meanwhile.</summary>
    private bool Next(Task writing, out byte[] batch, out int length)
    {
        lock (_gate)
        {
            if (writing.IsFaulted) _failed ??= writing.Exception.GetBaseException();
            if (_failed is null && _flushWanted && _pendingLength > 0)
            {
                (batch, length) = TakePending();
                return true;
            }
            _writing = false;
            batch = [];
            length = 0;
            return false;
        }
    }

    /// <summary>Finds a whole packet at the start of the read buffer and consumes it.</summary>
    private bool TryCut(out byte header, out int bodyStart, out int bodyLength, out int totalLength)
    {
        header = 0;
        bodyStart = 0;
        bodyLength = 0;
        totalLength = 0;
        int available = _inEnd - _inStart;
        if (available < 2) return false;
        int length = 0;
        int shift = 0;
        int i = _inStart + 1;
        while (true)
        {
            if (i >= _inEnd) return false;
            byte b = _in[i++];
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
            shift += 7;
            if (shift > 21) throw new MqttProtocolViolationException("the broker sent a packet with an invalid remaining length");
        }
        if (length > MaxIncoming) throw new MqttProtocolViolationException($"the broker sent a packet of {length} bytes (limit {MaxIncoming})");
        if (_inEnd - i < length)
        {
            // Not all here yet: make room for the whole packet.
            if (i - _inStart + length > _in.Length) Array.Resize(ref _in, i - _inStart + length);
            return false;
        }
        header = _in[_inStart];
        bodyStart = i;
        bodyLength = length;
        totalLength = i - _inStart + length;
        _inStart = i + length;
        return true;
    }

    /// <summary>Moves unread bytes to the front so the next read has room.</summary>
    private void Compact()
    {
        if (_inStart == 0) return;
        int left = _inEnd - _inStart;
        if (left > 0) Buffer.BlockCopy(_in, _inStart, _in, 0, left);
        _inStart = 0;
        _inEnd = left;
    }
}
