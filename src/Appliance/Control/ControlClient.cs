using System.Net.Sockets;
using Appliance.Qmp.Framing;

namespace Appliance.Host.Control;

/// <summary>Talks to a running appliance over its control socket.</summary>
internal static class ControlClient
{
    /// <summary>Sends one request and returns the reply line.</summary>
    /// <exception cref="ControlUnavailableException">Nothing listens at <paramref name="socketPath"/>.</exception>
    public static async Task<byte[]> SendAsync(string socketPath, byte[] request, CancellationToken cancellationToken)
    {
        // A missing socket file fails connect() with a misleading "Cannot assign requested address": say what it is.
        if (!File.Exists(socketPath))
        {
            throw new ControlUnavailableException($"cannot reach the appliance: no control socket at {socketPath} (is it running? "
                + "--socket PATH or APPLIANCE__RUNTIMEDIRECTORY=DIR names another; see docs/cli.md)");
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            string why = e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "the socket file exists but nothing listens on it (the appliance stopped without removing it?)",
                SocketError.AccessDenied => "permission denied (the socket is the appliance user's only: run this as root or as that user)",
                _ => e.Message,
            };
            throw new ControlUnavailableException($"cannot reach the appliance at {socketPath}: {why}");
        }
        var stream = new NetworkStream(socket, ownsSocket: false);
        await using var streamScope = stream.ConfigureAwait(false);
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        var line = await new QmpLineReader(stream, 16 << 20).ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (line.Kind != QmpLineKind.Line) throw new ControlUnavailableException($"the appliance at {socketPath} closed the connection without a reply");
        return line.Bytes;
    }
}

/// <summary>The running appliance cannot be reached over its control socket.</summary>
internal sealed class ControlUnavailableException(string message) : Exception(message);
