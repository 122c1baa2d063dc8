using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Emu.Display;
using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Display;

public sealed class VncTests
{
    private static async Task<byte[]> ReadAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(QmpTestClient.Timeout);
        return buffer;
    }

    private static async Task<(Socket Socket, NetworkStream Stream)> ConnectAsync(EmulatorTestBed bed)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, bed.Vm.VncPort!.Value)).WaitAsync(QmpTestClient.Timeout);
        return (socket, new NetworkStream(socket, ownsSocket: true));
    }

    /// <summary>RFB 3.8 up to the security types; returns the offered type.</summary>
    private static async Task<byte> StartHandshakeAsync(NetworkStream stream)
    {
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(await ReadAsync(stream, 12)));
        await stream.WriteAsync("RFB 003.008\n"u8.ToArray());
        var types = await ReadAsync(stream, 2);
        Assert.Equal(1, types[0]);
        await stream.WriteAsync(new[] { types[1] });
        return types[1];
    }

    private static async Task<string> FinishHandshakeAsync(NetworkStream stream)
    {
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(stream, 4)));
        await stream.WriteAsync(new byte[] { 1 });
        var init = await ReadAsync(stream, 24);
        Assert.Equal(640, BinaryPrimitives.ReadUInt16BigEndian(init));
        int nameLength = (int)BinaryPrimitives.ReadUInt32BigEndian(init.AsSpan(20));
        return Encoding.UTF8.GetString(await ReadAsync(stream, nameLength));
    }

    private static async Task<(EmulatorTestBed Bed, QmpTestClient Client, NetworkStream Stream)> StartWithPasswordAsync(string password)
    {
        var bed = await EmulatorTestBed.StartAsync(o =>
        {
            o.VncEnabled = true;
            o.VncPassword = password;
        });
        var client = await bed.ConnectRunningAsync();
        var (_, stream) = await ConnectAsync(bed);
        return (bed, client, stream);
    }

    [Fact]
    public async Task A_raw_rfb_handshake_reports_connected_initialized_and_disconnected()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.VncEnabled = true);
        var client = await bed.ConnectRunningAsync();
        var (socket, stream) = await ConnectAsync(bed);
        var local = (IPEndPoint)socket.LocalEndPoint!;

        var connected = await client.ExpectEventAsync<VncConnectedEvent>("VNC_CONNECTED");
        Assert.Equal(RfbHandshake.SecurityNone, await StartHandshakeAsync(stream));
        Assert.Equal("test-vm", await FinishHandshakeAsync(stream));
        var initialized = await client.ExpectEventAsync<VncInitializedEvent>("VNC_INITIALIZED");
        Assert.Contains("\"clients\":[{", await client.ReturnOfAsync("query-vnc"), StringComparison.Ordinal);
        await stream.DisposeAsync();
        var disconnected = await client.ExpectEventAsync<VncDisconnectedEvent>("VNC_DISCONNECTED");

        var server = new VncServerInfo("127.0.0.1", bed.Vm.VncPort.ToString()!, "ipv4", false, "none");
        var expectedClient = new VncClientInfo("127.0.0.1", local.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "ipv4", false);
        Assert.Equal(server, connected.Server);
        Assert.Equal(expectedClient, connected.Client);
        Assert.Equal(connected.Client, initialized.Client);
        Assert.Equal(connected.Client, disconnected.Client);
    }

    [Fact]
    public async Task Vnc_authentication_accepts_the_right_password()
    {
        var (bed, client, stream) = await StartWithPasswordAsync("secret");
        await using var _ = bed;
        await using var __ = stream;

        Assert.Equal(RfbHandshake.SecurityVncAuth, await StartHandshakeAsync(stream));
        var challenge = await ReadAsync(stream, 16);
        await stream.WriteAsync(RfbHandshake.VncAuthResponse(challenge, "secret"));
        await FinishHandshakeAsync(stream);

        await client.ExpectEventsAsync("VNC_CONNECTED", "VNC_INITIALIZED");
    }

    [Fact]
    public async Task A_wrong_vnc_password_fails_without_VNC_INITIALIZED()
    {
        var (bed, client, stream) = await StartWithPasswordAsync("secret");
        await using var _ = bed;
        await using var __ = stream;

        await StartHandshakeAsync(stream);
        var challenge = await ReadAsync(stream, 16);
        await stream.WriteAsync(RfbHandshake.VncAuthResponse(challenge, "guess"));

        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(stream, 4)));
        await client.ExpectEventsAsync("VNC_CONNECTED", "VNC_DISCONNECTED");
    }

    [Fact]
    public async Task Query_vnc_reports_disabled_when_there_is_no_listener()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        Assert.Equal("{\"enabled\":false}", await client.ReturnOfAsync("query-vnc"));
    }
}
