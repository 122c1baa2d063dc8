using System.Net.Sockets;
using System.Text;

namespace Appliance.TestSupport.Systemd;

/// <summary>Plays systemd's side of sd_notify: a unix datagram socket (pass its <see cref="Path"/> as NOTIFY_SOCKET)
/// that keeps every notification the service sends.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<string> _received = [];

    /// <summary>Binds the socket at <paramref name="path"/>.</summary>
    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    /// <summary>The socket's path.</summary>
    public string Path { get; }

    /// <summary>Every notification received so far, including any waiting in the socket now.</summary>
    public IReadOnlyList<string> Received
    {
        get
        {
            var buffer = new byte[4096];
            while (_socket.Available > 0) _received.Add(Encoding.UTF8.GetString(buffer, 0, _socket.Receive(buffer)));
            return [.. _received];
        }
    }

    /// <summary>Waits until a notification carries <paramref name="assignment"/> (e.g. <c>READY=1</c>).</summary>
    /// <returns>False when <paramref name="timeout"/> passed first.</returns>
    public async Task<bool> WaitForAsync(string assignment, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (Received.Any(m => Carries(m, assignment))) return true;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int n = await _socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token).ConfigureAwait(false);
                string message = Encoding.UTF8.GetString(buffer, 0, n);
                _received.Add(message);
                if (Carries(message, assignment)) return true;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static bool Carries(string message, string assignment) => message.Split('\n').Contains(assignment);

    /// <inheritdoc />
    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(Path);
    }
}
