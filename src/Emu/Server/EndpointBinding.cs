using System.Net;
using System.Net.Sockets;
using Appliance.Qmp;

namespace Appliance.Emu.Server;

/// <summary>The socket address a listener binds for a <see cref="QmpEndpoint"/>.</summary>
internal static class EndpointBinding
{
    /// <summary>TCP hosts other than localhost (or empty, meaning loopback) must be IP addresses.</summary>
    public static EndPoint ToBindEndPoint(this QmpEndpoint endpoint)
    {
        if (endpoint.Kind == QmpEndpointKind.Unix) return new UnixDomainSocketEndPoint(endpoint.Address);
        if (endpoint.Address is "localhost" or "") return new IPEndPoint(IPAddress.Loopback, endpoint.Port);
        if (IPAddress.TryParse(endpoint.Address, out var ip)) return new IPEndPoint(ip, endpoint.Port);
        throw new FormatException($"QMP TCP host '{endpoint.Address}' is not an IP address or localhost");
    }
}
