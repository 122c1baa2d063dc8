using System.Net;
using System.Net.Sockets;
using Appliance.Qmp;

namespace Appliance.Bridge.Client;

/// <summary>Opens a connected socket to a <see cref="QmpEndpoint"/>.</summary>
internal static class EndpointConnection
{
    public static async Task<Socket> ConnectAsync(this QmpEndpoint endpoint, CancellationToken cancellationToken)
    {
        bool unix = endpoint.Kind == QmpEndpointKind.Unix;
        Socket socket = unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            EndPoint target = unix
                ? new UnixDomainSocketEndPoint(endpoint.Address)
                : new DnsEndPoint(endpoint.Address.Length == 0 ? "localhost" : endpoint.Address, endpoint.Port);
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            if (!unix) socket.NoDelay = true;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
