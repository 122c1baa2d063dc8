using System.Net;
using System.Net.Sockets;
using Appliance.Bridge.Sockets;

namespace Appliance.Bridge.Tests.Sockets;

public sealed class AcceptLoopTests
{
    [Fact]
    public async Task A_connection_past_the_cap_is_closed_while_the_others_are_served_and_the_next_is_served_again()
    {
        using var listener = Listen();
        var release = new TaskCompletionSource();
        int served = 0, refused = 0;
        using var stop = new CancellationTokenSource();
        var loop = AcceptLoop.RunAsync(listener, 1, async client =>
        {
            Interlocked.Increment(ref served);
            await client.SendAsync("hello"u8.ToArray(), SocketFlags.None);
            await release.Task;
        }, _ => { }, () => Interlocked.Increment(ref refused), TimeProvider.System, stop.Token);

        using var first = await ConnectAsync(listener);
        Assert.Equal("hello", await ReadAsync(first));
        using var second = await ConnectAsync(listener);
        Assert.Equal("", await ReadAsync(second)); // closed on arrival: the cap is one
        Assert.Equal(1, Volatile.Read(ref refused));

        release.SetResult();
        Assert.Equal("", await ReadAsync(first)); // the loop closes a served connection when its handler ends
        using var third = await ConnectAsync(listener);
        Assert.Equal("hello", await ReadAsync(third));
        Assert.Equal(2, Volatile.Read(ref served));

        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static Socket Listen()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(8);
        return socket;
    }

    private static async Task<Socket> ConnectAsync(Socket listener)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        return client;
    }

    private static async Task<string> ReadAsync(Socket client)
    {
        var buffer = new byte[16];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, n);
    }
}
