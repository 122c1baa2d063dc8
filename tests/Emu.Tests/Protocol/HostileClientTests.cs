using System.Net.Sockets;
using Appliance.Emu.Tests.Support;

namespace Appliance.Emu.Tests.Protocol;

/// <summary>Thousands of connections sending hostile bytes (random, 0xFF, deep nesting, an endless token) and leaving:
/// the emulator keeps serving and its managed heap ends where it started, within a small margin.</summary>
public sealed class HostileClientTests
{
    private const int Connections = 2000;
    private const int AtOnce = 16;

    [Fact]
    public async Task Thousands_of_hostile_connections_neither_break_nor_grow_the_emulator()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.MaxMessageBytes = 4096);
        await RunHostileAsync(bed, 0, 200); // warm up: pools, JIT, socket buffers
        long before = HeapAfterCollection();

        await RunHostileAsync(bed, 200, Connections);
        long after = HeapAfterCollection();

        var client = await bed.ConnectAsync();
        Assert.Equal("{\"name\":\"test-vm\"}", await client.ReturnOfAsync("query-name"));
        Assert.True(after - before < 8 << 20, $"managed heap grew by {(after - before) >> 10} KiB over {Connections} hostile connections");
    }

    private static async Task RunHostileAsync(EmulatorTestBed bed, int first, int count)
    {
        for (int start = first; start < count; start += AtOnce)
        {
            var batch = Enumerable.Range(start, Math.Min(AtOnce, count - start)).Select(i => HostileAsync(bed.SocketPath, i));
            await Task.WhenAll(batch).WaitAsync(QmpTestClient.Timeout);
        }
    }

    private static async Task HostileAsync(string path, int seed)
    {
        var random = new Random(seed);
        var payload = new byte[random.Next(1, 12 * 1024)];
        switch (seed % 4)
        {
            case 0: random.NextBytes(payload); break;
            case 1: payload.AsSpan().Fill((byte)'['); break;
            case 2: payload.AsSpan().Fill((byte)'x'); payload[0] = (byte)'"'; break;
            default: random.NextBytes(payload); payload.AsSpan(0, Math.Min(8, payload.Length)).Fill(0xFF); break;
        }
        using var socket = await ConnectAsync(path);
        try
        {
            await socket.SendAsync(payload);
            socket.Shutdown(SocketShutdown.Send);
            var sink = new byte[4096];
            while (await socket.ReceiveAsync(sink) > 0) { } // read the greeting and errors until the server closes
        }
        catch (SocketException)
        {
            // The server may drop a client that floods it with errors and never reads: that is allowed.
        }
    }

    /// <summary>Connects, waiting while the listen backlog is full (EAGAIN on a unix socket).</summary>
    private static async Task<Socket> ConnectAsync(string path)
    {
        for (int attempt = 0; ; attempt++)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TryAgain && attempt < 200)
            {
                socket.Dispose();
                await Task.Delay(10);
            }
        }
    }

    private static long HeapAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
