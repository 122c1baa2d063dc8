using Appliance.Qmp;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Appliance.Emu.Devices;
using Appliance.Emu.Machine;
using Appliance.Emu.Server;
using Appliance.Qmp.Events;
using Microsoft.Extensions.Logging;

namespace Appliance.Emu.Display;

/// <summary>A real RFB listener on loopback: VNC_CONNECTED on accept, VNC_INITIALIZED after ServerInit,
/// VNC_DISCONNECTED on close.</summary>
internal sealed class VncServer
{
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    private readonly VirtualMachine _vm;
    private readonly SocketListener _listener;
    private readonly string? _password;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;

    private VncServer(VirtualMachine vm, SocketListener listener, string? password, ILogger logger, CancellationToken stopping)
    {
        _vm = vm;
        _listener = listener;
        _password = password;
        _logger = logger;
        _stopping = stopping;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint).Port;

    public static VncServer Start(VirtualMachine vm, int port, string? password, ILogger logger, CancellationToken stopping)
    {
        var listener = SocketListener.Bind(QmpEndpoint.Tcp("127.0.0.1", port), logger);
        var server = new VncServer(vm, listener, password, logger, stopping);
        var info = new VncServerInfo("127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "ipv4", false, password is null ? "none" : "vnc");
        lock (vm.Gate) vm.Vnc = new VncState(info);
        _ = listener.AcceptLoopAsync(s => _ = server.ServeAsync(s), stopping);
        return server;
    }

    public void Stop() => _listener.Dispose();

    private async Task ServeAsync(Socket socket)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        var client = new VncClientInfo(remote.Address.ToString(), remote.Port.ToString(CultureInfo.InvariantCulture), "ipv4", false);
        var state = _vm.Vnc!;
        lock (_vm.Gate)
        {
            state.Clients.Add(client);
            _vm.Events.Emit(QmpEventNames.VncConnected, new VncConnectedEvent(state.Server, client));
        }
        using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            using (var handshake = new CancellationTokenSource(HandshakeTimeout, _vm.Clock.Time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(handshake.Token, _stopping))
            {
                string? refused = await RfbHandshake.RunAsync(stream, _password, _vm.Options.Name, linked.Token).ConfigureAwait(false);
                if (refused is not null)
                {
                    _logger.LogInformation("VNC client {Client} refused: {Reason}", remote, refused);
                    return;
                }
            }
            lock (_vm.Gate) _vm.Events.Emit(QmpEventNames.VncInitialized, new VncInitializedEvent(state.Server, client));
            await DrainAsync(stream).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or EndOfStreamException or ObjectDisposedException)
        {
            _logger.LogDebug("VNC client {Client} left: {Reason}", remote, e.Message);
        }
        finally
        {
            lock (_vm.Gate)
            {
                state.Clients.Remove(client);
                _vm.Events.Emit(QmpEventNames.VncDisconnected, new VncDisconnectedEvent(state.Server, client));
            }
        }
    }

    /// <summary>Reads and ignores client messages until the client closes; there is no framebuffer to update.</summary>
    private async Task DrainAsync(NetworkStream stream)
    {
        var buffer = new byte[1024];
        while (await stream.ReadAsync(buffer, _stopping).ConfigureAwait(false) > 0)
        {
        }
    }
}
