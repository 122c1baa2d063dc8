using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Appliance.TestSupport.Network;

namespace Appliance.TestSupport.Mosquitto;

/// <summary>A loopback TCP relay in front of a server, whose connections a test can cut (a pulled cable: no
/// goodbye from either side), while new connections are still relayed.</summary>
public sealed class TcpRelay : LoopbackTcpServer
{
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();

    /// <summary>Starts relaying 127.0.0.1:<see cref="Port"/> to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public TcpRelay(int targetPort)
    {
        _targetPort = targetPort;
        Start();
    }

    /// <summary>Resets every relayed connection at once.</summary>
    public void CutAll()
    {
        foreach (var socket in _sockets.Keys)
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
            _sockets.TryRemove(socket, out _);
        }
    }

    /// <inheritdoc />
    protected override void CloseSockets() => CutAll();

    /// <inheritdoc />
    protected override async Task OnAcceptedAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await server.ConnectAsync(IPAddress.Loopback, _targetPort, Stopping);
        _sockets[client] = 0;
        _sockets[server] = 0;
        _ = PumpAsync(client, server);
        _ = PumpAsync(server, client);
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0) break;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Cut.
        }
        try
        {
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }
}
