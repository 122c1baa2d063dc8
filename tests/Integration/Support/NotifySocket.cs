using System.Net.Sockets;
using System.Text;

namespace Appliance.Integration.Support;

/// <summary>Plays systemd's side of sd_notify: a datagram socket collecting what the service sends.</summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<string> _received = [];

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    public IReadOnlyList<string> Received
    {
        get
        {
            Drain();
            return [.. _received];
        }
    }

    public async Task<string> WaitForAsync(string assignment, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var hit = Received.FirstOrDefault(m => m.Split('\n').Contains(assignment));
            if (hit is not null) return hit;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no {assignment} within {timeout}; received: {string.Join(" | ", _received)}");
    }

    private void Drain()
    {
        var buffer = new byte[4096];
        while (_socket.Available > 0)
        {
            int n = _socket.Receive(buffer);
            _received.Add(Encoding.UTF8.GetString(buffer, 0, n));
        }
    }

    public void Dispose() => _socket.Dispose();
}
