using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Bridge.Client;

/// <summary>Where a QMP monitor listens: <c>unix:PATH</c> or <c>tcp:HOST:PORT</c> (QEMU's own <c>-qmp</c> spelling).</summary>
public sealed record QmpEndpoint
{
    private QmpEndpoint(string text, string? path, string? host, int port)
    {
        Text = text;
        Path = path;
        Host = host;
        Port = port;
    }

    /// <summary>The endpoint as written in configuration.</summary>
    public string Text { get; }

    /// <summary>The socket path of a unix endpoint, else null.</summary>
    public string? Path { get; }

    /// <summary>The host of a TCP endpoint, else null.</summary>
    public string? Host { get; }

    /// <summary>The port of a TCP endpoint, else 0.</summary>
    public int Port { get; }

    /// <summary>A unix socket endpoint.</summary>
    public static QmpEndpoint Unix(string path) => Parse("unix:" + path);

    /// <summary>Parses <c>unix:PATH</c> or <c>tcp:HOST:PORT</c>; throws <see cref="FormatException"/> saying what was wrong.</summary>
    public static QmpEndpoint Parse(string text)
    {
        if (TryParse(text, out var endpoint, out var error)) return endpoint!;
        throw new FormatException(error);
    }

    /// <summary>Parses an endpoint string, returning a description of the problem instead of throwing.</summary>
    public static bool TryParse(string? text, out QmpEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "QMP endpoint is empty; expected 'unix:PATH' or 'tcp:HOST:PORT'";
            return false;
        }
        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            string path = text["unix:".Length..];
            if (path.Length == 0) error = $"QMP endpoint '{text}' has no socket path";
            else endpoint = new QmpEndpoint(text, path, null, 0);
        }
        else if (text.StartsWith("tcp:", StringComparison.Ordinal))
        {
            string rest = text["tcp:".Length..];
            int colon = rest.LastIndexOf(':');
            string host = colon > 0 ? rest[..colon].Trim('[', ']') : "";
            if (colon <= 0 || host.Length == 0)
                error = $"QMP endpoint '{text}' needs a host and a port: 'tcp:HOST:PORT'";
            else if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
                error = $"QMP endpoint '{text}' has an invalid port (1-65535)";
            else endpoint = new QmpEndpoint(text, null, host, port);
        }
        else
        {
            error = $"QMP endpoint '{text}' must start with 'unix:' or 'tcp:'";
        }
        return endpoint is not null;
    }

    /// <summary>Opens a connected socket to the endpoint.</summary>
    internal async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        Socket socket = Path is not null
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            EndPoint target = Path is not null ? new UnixDomainSocketEndPoint(Path) : new DnsEndPoint(Host!, Port);
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            if (Path is null) socket.NoDelay = true;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
