using System.Globalization;

namespace Appliance.Qmp;

/// <summary>Where a QMP monitor listens: <c>unix:PATH</c> (the default kind) or <c>tcp:HOST:PORT</c>, QEMU's own
/// <c>-qmp</c> spelling. Syntax only: the emulator binds it, the client connects to it.</summary>
/// <param name="Kind">Unix or TCP.</param>
/// <param name="Address">The socket path for unix, the host name or address for TCP.</param>
/// <param name="Port">The TCP port (0 lets the system choose); 0 for unix.</param>
public sealed record QmpEndpoint(QmpEndpointKind Kind, string Address, int Port = 0)
{
    /// <summary>A unix socket endpoint.</summary>
    public static QmpEndpoint Unix(string path) => new(QmpEndpointKind.Unix, path);

    /// <summary>A TCP endpoint.</summary>
    public static QmpEndpoint Tcp(string host, int port) => new(QmpEndpointKind.Tcp, host, port);

    /// <summary>Parses <c>unix:PATH</c> or <c>tcp:HOST:PORT</c> (IPv6 hosts in brackets, an empty host meaning loopback);
    /// a bare path means unix.</summary>
    /// <exception cref="FormatException">The text names what was wrong.</exception>
    public static QmpEndpoint Parse(string text)
    {
        if (TryParse(text, out var endpoint, out var error)) return endpoint;
        throw new FormatException(error);
    }

    /// <summary>Parses an endpoint string without throwing.</summary>
    public static bool TryParse(string? text, out QmpEndpoint endpoint, out string error)
    {
        endpoint = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "QMP endpoint is empty; expected unix:PATH or tcp:HOST:PORT";
            return false;
        }
        if (text.StartsWith("tcp:", StringComparison.Ordinal)) return TryParseTcp(text, text[4..], out endpoint, out error);
        string path = text.StartsWith("unix:", StringComparison.Ordinal) ? text[5..] : text;
        if (path.Length == 0 || text.Contains(':', StringComparison.Ordinal) && !text.StartsWith("unix:", StringComparison.Ordinal))
        {
            error = $"QMP endpoint '{text}' is neither unix:PATH nor tcp:HOST:PORT";
            return false;
        }
        endpoint = Unix(path);
        return true;
    }

    private static bool TryParseTcp(string text, string rest, out QmpEndpoint endpoint, out string error)
    {
        endpoint = null!;
        int colon = rest.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"QMP endpoint '{text}' lacks a host or port; expected tcp:HOST:PORT";
            return false;
        }
        string host = rest[..colon].Trim('[', ']');
        if (!int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            error = $"QMP endpoint '{text}' has an invalid port '{rest[(colon + 1)..]}' (expected 0 to 65535)";
            return false;
        }
        endpoint = Tcp(host, port);
        error = "";
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Kind == QmpEndpointKind.Unix
        ? "unix:" + Address
        : string.Create(CultureInfo.InvariantCulture, $"tcp:{Address}:{Port}");
}

/// <summary>The kinds of <see cref="QmpEndpoint"/>.</summary>
public enum QmpEndpointKind
{
    /// <summary>A unix domain stream socket (file mode 0600).</summary>
    Unix,
    /// <summary>A TCP socket.</summary>
    Tcp,
}
