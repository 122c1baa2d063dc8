using System.Net.Sockets;
using System.Text;

namespace Appliance.Host.Systemd;

/// <summary>systemd's sd_notify without libsystemd: one datagram to <c>$NOTIFY_SOCKET</c> per message.</summary>
/// <remarks>Silently does nothing when not started by systemd (no <c>NOTIFY_SOCKET</c>), like sd_notify(3).
/// A leading '@' names a socket in the abstract namespace.</remarks>
internal sealed class SdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly object _gate = new();

    /// <param name="notifySocket">NOTIFY_SOCKET, or null outside systemd.</param>
    /// <param name="watchdog">The interval systemd expects WATCHDOG=1 at (WATCHDOG_USEC), or null when not enabled.</param>
    public SdNotifier(string? notifySocket, TimeSpan? watchdog = null)
    {
        Watchdog = watchdog;
        if (string.IsNullOrEmpty(notifySocket)) return;
        string path = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
        _endpoint = new UnixDomainSocketEndPoint(path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>Creates a notifier from the process environment.</summary>
    public static SdNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), WatchdogInterval());

    /// <summary>The interval systemd expects WATCHDOG=1 at, or null when its watchdog is off for this process.</summary>
    public TimeSpan? Watchdog { get; }

    /// <summary>True when a notify socket was given.</summary>
    public bool IsActive => _socket is not null;

    /// <summary>The watchdog interval systemd expects pings at (WATCHDOG_USEC), when enabled for this process.</summary>
    private static TimeSpan? WatchdogInterval()
    {
        string? usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        string? pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (pid is not null && pid != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
        return long.TryParse(usec, out long us) && us > 0 ? TimeSpan.FromMicroseconds(us) : null;
    }

    /// <summary>Sends a notification such as <c>READY=1</c>; several assignments are separated by newlines.</summary>
    /// <returns>False when there is no notify socket or sending failed (never throws: a lost ping must not stop the host).</returns>
    public bool Notify(string state)
    {
        if (_socket is null) return false;
        try
        {
            lock (_gate) _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endpoint!);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose() => _socket?.Dispose();
}
