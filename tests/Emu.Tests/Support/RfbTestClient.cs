using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Emu.Tests.Support;

/// <summary>The client side of a raw RFB 3.8 handshake over a real socket.</summary>
internal static class RfbTestClient
{
    public static async Task<byte[]> ReadAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(QmpTestClient.Timeout);
        return buffer;
    }

    public static async Task<(Socket Socket, NetworkStream Stream)> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(QmpTestClient.Timeout);
        return (socket, new NetworkStream(socket, ownsSocket: true));
    }

    /// <summary>RFB 3.8 up to the security types; picks the single offered type and returns it.</summary>
    public static async Task<byte> StartHandshakeAsync(NetworkStream stream)
    {
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(await ReadAsync(stream, 12)));
        await stream.WriteAsync("RFB 003.008\n"u8.ToArray());
        var types = await ReadAsync(stream, 2);
        Assert.Equal(1, types[0]);
        await stream.WriteAsync(new[] { types[1] });
        return types[1];
    }

    /// <summary>SecurityResult OK, ClientInit, ServerInit; returns the desktop name.</summary>
    public static async Task<string> FinishHandshakeAsync(NetworkStream stream)
    {
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(stream, 4)));
        await stream.WriteAsync(new byte[] { 1 });
        var init = await ReadAsync(stream, 24);
        Assert.Equal(640, BinaryPrimitives.ReadUInt16BigEndian(init));
        int nameLength = (int)BinaryPrimitives.ReadUInt32BigEndian(init.AsSpan(20));
        return Encoding.UTF8.GetString(await ReadAsync(stream, nameLength));
    }

    /// <summary>A whole handshake with security None, then the connection closes.</summary>
    public static async Task ConnectInitializeAndCloseAsync(int port)
    {
        var (_, stream) = await ConnectAsync(port);
        await using (stream)
        {
            await StartHandshakeAsync(stream);
            await FinishHandshakeAsync(stream);
        }
    }
}
