using Appliance.Qmp;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Appliance.Emu.Server;

/// <summary>A listening socket (unix, mode 0600, or TCP) with one pending accept; each accepted socket goes to a handler.</summary>
internal sealed class SocketListener : IDisposable
{
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Socket _socket;
    private readonly string? _unixPath;
    private readonly ILogger _logger;

    private SocketListener(Socket socket, string? unixPath, ILogger logger)
    {
        _socket = socket;
        _unixPath = unixPath;
        _logger = logger;
    }

    public EndPoint LocalEndPoint => _socket.LocalEndPoint!;

    /// <summary>Binds and listens. A stale unix socket file is replaced; the new one is made owner-only.</summary>
    public static SocketListener Bind(QmpEndpoint endpoint, ILogger logger)
    {
        var address = endpoint.ToBindEndPoint();
        bool unix = endpoint.Kind == QmpEndpointKind.Unix;
        var socket = unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (unix && File.Exists(endpoint.Address)) RemoveStaleSocket(endpoint.Address);
            socket.Bind(address);
            if (unix && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(endpoint.Address, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            socket.Listen(16);
            return new SocketListener(socket, unix ? endpoint.Address : null, logger);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Replaces a socket file nobody listens on any more; refuses to take over one that is alive, and any other
    /// file: connect(2) refuses a file that is not a socket as it refuses a dead socket, and a socket's size is always 0.
    /// (Appliance.Bridge.Sockets.UnixSocketFile is the host's copy; the emulator does not reference the bridge.)</summary>
    private static void RemoveStaleSocket(string path)
    {
        if (new FileInfo(path).Length > 0) throw new IOException($"QMP socket '{path}' exists and is not a socket");
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException)
            {
                File.Delete(path);
                return;
            }
        }
        throw new IOException($"QMP socket '{path}' is in use by another server");
    }

    /// <summary>Accepts until disposed or cancelled, handing each connection to <paramref name="onAccepted"/>.</summary>
    public async Task AcceptLoopAsync(Action<Socket> onAccepted, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors and the like: say so and back off instead of spinning.
                _logger.LogWarning("accept on {EndPoint} failed: {Error}", _socket.LocalEndPoint, e.SocketErrorCode);
                await Task.Delay(AcceptRetryDelay, CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            if (client.AddressFamily != AddressFamily.Unix) client.NoDelay = true;
            onAccepted(client);
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_unixPath is null) return;
        try
        {
            File.Delete(_unixPath);
        }
        catch (IOException)
        {
            // Someone else's now, or already gone.
        }
    }
}
