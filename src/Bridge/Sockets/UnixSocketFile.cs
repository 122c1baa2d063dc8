using System.Net.Sockets;

namespace Appliance.Bridge.Sockets;

/// <summary>The file of a unix socket a server is about to bind: one left behind by a process that died is removed, one
/// that a live process still listens on is refused.</summary>
public static class UnixSocketFile
{
    /// <summary>Removes <paramref name="path"/> when nothing listens on it; does nothing when there is no such file.</summary>
    /// <param name="path">The socket file.</param>
    /// <param name="what">What the socket is, for the message (<c>Control socket</c>, <c>Monitors:Listen unix:...</c>).</param>
    /// <exception cref="IOException">A live process listens on it, or it is a file that is not a socket; the message says which.</exception>
    public static void RemoveStale(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // connect(2) refuses a file that is not a socket as it refuses a dead socket; a socket's size is always 0.
        if (Directory.Exists(path) || new FileInfo(path) is { Exists: true, Length: > 0 })
            throw new IOException($"{what}: {path} exists and is not a socket");
        if (!File.Exists(path)) return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return;
        }
        catch (SocketException e)
        {
            // Not an inner exception: hosts report the innermost message, and this one says more.
            throw new IOException($"{what}: {path} exists and cannot be probed ({e.SocketErrorCode})");
        }
        throw new IOException($"{what}: another process is listening on {path}");
    }
}
