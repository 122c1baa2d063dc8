using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Appliance.Emu.Display;
using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Display;

public sealed class VncTests
{
    private static async Task<(EmulatorTestBed Bed, QmpTestClient Client, NetworkStream Stream)> StartWithPasswordAsync(string password)
    {
        var bed = await EmulatorTestBed.StartAsync(o =>
        {
            o.VncEnabled = true;
            o.VncPassword = password;
        });
        var client = await bed.ConnectRunningAsync();
        var (_, stream) = await RfbTestClient.ConnectAsync(bed.Vm.VncPort!.Value);
        return (bed, client, stream);
    }

    [Fact]
    public async Task A_raw_rfb_handshake_reports_connected_initialized_and_disconnected()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.VncEnabled = true);
        var client = await bed.ConnectRunningAsync();
        var (socket, stream) = await RfbTestClient.ConnectAsync(bed.Vm.VncPort!.Value);
        var local = (IPEndPoint)socket.LocalEndPoint!;

        var connected = await client.ExpectEventAsync<VncConnectedEvent>("VNC_CONNECTED");
        Assert.Equal(RfbHandshake.SecurityNone, await RfbTestClient.StartHandshakeAsync(stream));
        Assert.Equal("test-vm", await RfbTestClient.FinishHandshakeAsync(stream));
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

        Assert.Equal(RfbHandshake.SecurityVncAuth, await RfbTestClient.StartHandshakeAsync(stream));
        var challenge = await RfbTestClient.ReadAsync(stream, 16);
        await stream.WriteAsync(RfbHandshake.VncAuthResponse(challenge, "secret"));
        await RfbTestClient.FinishHandshakeAsync(stream);

        await client.ExpectEventsAsync("VNC_CONNECTED", "VNC_INITIALIZED");
    }

    [Fact]
    public async Task A_wrong_vnc_password_fails_without_VNC_INITIALIZED()
    {
        var (bed, client, stream) = await StartWithPasswordAsync("secret");
        await using var _ = bed;
        await using var __ = stream;

        await RfbTestClient.StartHandshakeAsync(stream);
        var challenge = await RfbTestClient.ReadAsync(stream, 16);
        await stream.WriteAsync(RfbHandshake.VncAuthResponse(challenge, "guess"));

        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(await RfbTestClient.ReadAsync(stream, 4)));
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
