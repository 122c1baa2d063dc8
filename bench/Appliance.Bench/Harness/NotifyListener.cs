using System.Net.Sockets;
using System.Text;

namespace Appliance.Bench.Harness;

/// <summary>A unix datagram socket standing in for systemd's <c>$NOTIFY_SOCKET</c>, to time exec to READY=1.</summary>
public sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    /// <summary>Binds <paramref name="path"/>.</summary>
    public NotifyListener(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    /// <summary>The socket's path, for <c>NOTIFY_SOCKET</c>.</summary>
    public string Path { get; }

    /// <summary>Waits for a datagram holding <c>READY=1</c>; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int n = await _socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token).ConfigureAwait(false);
                if (Encoding.UTF8.GetString(buffer, 0, n).Split('\n').Contains("READY=1")) return true;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Closes and removes the socket.</summary>
    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(Path);
    }
}
