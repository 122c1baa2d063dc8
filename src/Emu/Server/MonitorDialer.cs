using System.Net;
using System.Net.Sockets;
using Appliance.Qmp;
using Microsoft.Extensions.Logging;

namespace Appliance.Emu.Server;

/// <summary>A monitor that dials its client instead of listening, like QEMU's
/// <c>-chardev socket,path=PATH,reconnect=N</c>: connect, serve the session, and after the client goes away (or
/// refuses) try again every <see cref="EmulatedVmOptions.ReconnectDelay"/>.</summary>
internal sealed class MonitorDialer(QmpEndpoint endpoint, TimeSpan reconnectDelay, TimeProvider time, ILogger logger)
{
    /// <summary>Dials until cancelled; each connected socket goes to <paramref name="serve"/>, which returns when the
    /// session has ended (or at once when it refused the socket).</summary>
    public async Task RunAsync(Func<Socket, Task> serve, CancellationToken cancellationToken)
    {
        bool reportedDown = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var socket = endpoint.Kind == QmpEndpointKind.Unix
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                EndPoint target = endpoint.Kind == QmpEndpointKind.Unix
                    ? new UnixDomainSocketEndPoint(endpoint.Address)
                    : new DnsEndPoint(endpoint.Address.Length == 0 ? "localhost" : endpoint.Address, endpoint.Port);
                await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
                reportedDown = false;
                logger.LogInformation("QMP monitor connected to {Endpoint}", endpoint);
                await serve(socket).ConfigureAwait(false);
                logger.LogInformation("QMP monitor disconnected from {Endpoint}; reconnecting every {Delay}", endpoint, reconnectDelay);
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                return;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                // Said once per outage, like QEMU, not on every retry.
                if (!reportedDown) logger.LogWarning("QMP monitor cannot reach {Endpoint}: {Error}; retrying every {Delay}", endpoint, e.SocketErrorCode, reconnectDelay);
                reportedDown = true;
            }
            try
            {
                await Task.Delay(reconnectDelay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
