using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Appliance.TestSupport.Network;

namespace Appliance.Bridge.Tests.Mqtt;

/// <summary>A loopback MQTT 5 server that accepts clients and answers CONNECT and PINGREQ, but never acknowledges a
/// PUBLISH: a broker whose PUBACKs are lost. It records every PUBLISH it receives, in order.</summary>
internal sealed class SilentBroker : LoopbackTcpServer
{
    private readonly ConcurrentQueue<(string Topic, byte[] Payload)> _published = new();
    private readonly ConcurrentBag<Socket> _clients = [];

    public SilentBroker() => Start();

    /// <summary>Every PUBLISH received so far, oldest first.</summary>
    public IReadOnlyList<(string Topic, byte[] Payload)> Published => [.. _published];

    protected override void CloseSockets()
    {
        foreach (var client in _clients) client.Dispose();
    }

    protected override Task OnAcceptedAsync(Socket client)
    {
        _clients.Add(client);
        _ = ServeAsync(client);
        return Task.CompletedTask;
    }

    private async Task ServeAsync(Socket client)
    {
        using var stream = new NetworkStream(client, ownsSocket: false);
        try
        {
            while (await ReadPacketAsync(stream) is var (type, body))
            {
                switch (type >> 4)
                {
                    case 1: // CONNECT: CONNACK, session not present, success, no properties
                        await stream.WriteAsync(new byte[] { 0x20, 3, 0, 0, 0 }, Stopping);
                        break;
                    case 3:
                        _published.Enqueue(ParsePublish(type, body));
                        break;
                    case 12: // PINGREQ
                        await stream.WriteAsync(new byte[] { 0xD0, 0 }, Stopping);
                        break;
                    case 14: // DISCONNECT
                        return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Client gone or broker stopped.
        }
    }

    /// <summary>Topic and payload of an MQTT 5 PUBLISH body.</summary>
    private static (string Topic, byte[] Payload) ParsePublish(byte header, byte[] body)
    {
        int topicLength = (body[0] << 8) | body[1];
        string topic = Encoding.UTF8.GetString(body, 2, topicLength);
        int at = 2 + topicLength + (((header >> 1) & 3) > 0 ? 2 : 0);
        int propertiesLength = ReadVariableInt(body, ref at);
        at += propertiesLength;
        return (topic, body[at..]);
    }

    private async Task<(byte Type, byte[] Body)?> ReadPacketAsync(NetworkStream stream)
    {
        var one = new byte[1];
        if (await stream.ReadAsync(one, Stopping) == 0) return null;
        byte type = one[0];
        int length = 0;
        for (int shift = 0; ; shift += 7)
        {
            await stream.ReadExactlyAsync(one, Stopping);
            length |= (one[0] & 0x7F) << shift;
            if ((one[0] & 0x80) == 0) break;
        }
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, Stopping);
        return (type, body);
    }

    private static int ReadVariableInt(byte[] data, ref int at)
    {
        int value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }
}
