using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Bench.Harness;

/// <summary>A second QMP connection to an emulated VM that causes events at a steady rate: <c>stop</c> and <c>cont</c>
/// alternately (one event each), with the guest hung and its watchdog armed, so that a VM started with
/// <c>--watchdog-action none</c> emits WATCHDOG every watchdog period of running time. Replies are read and dropped.</summary>
public sealed class QmpDriver : IDisposable
{
    private static readonly byte[] Stop = Encoding.ASCII.GetBytes("{\"execute\":\"stop\"}\n");
    private static readonly byte[] Cont = Encoding.ASCII.GetBytes("{\"execute\":\"cont\"}\n");

    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _drain;

    private QmpDriver(Socket socket)
    {
        _socket = socket;
        _drain = DrainAsync(_stop.Token);
    }

    /// <summary>Run-state events caused so far.</summary>
    public int Sent { get; private set; }

    private int _watchdogs;

    /// <summary>WATCHDOG events this connection has seen from the VM (every monitor gets every event).</summary>
    public int Watchdogs => Volatile.Read(ref _watchdogs);

    /// <summary>Waits until a unix socket accepts connections (the emulator process is starting).</summary>
    public static async Task WaitForSocketAsync(string path, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Connects and negotiates capabilities.</summary>
    public static async Task<QmpDriver> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        await socket.SendAsync("{\"execute\":\"qmp_capabilities\"}\n"u8.ToArray(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        return new QmpDriver(socket);
    }

    /// <summary>Causes <paramref name="events"/> run-state events at <paramref name="rate"/> per second, going on for at
    /// least <paramref name="minimum"/>, with the watchdog armed at <paramref name="watchdogSeconds"/> and the guest hung
    /// meanwhile; ends with the VM running and the watchdog disarmed.</summary>
    public async Task DriveAsync(int rate, int events, TimeSpan minimum, int watchdogSeconds, CancellationToken cancellationToken)
    {
        await SendAsync(Encoding.ASCII.GetBytes($"{{\"execute\":\"x-guest-watchdog\",\"arguments\":{{\"timeout\":{watchdogSeconds}}}}}\n{{\"execute\":\"x-guest-hang\"}}\n"),
            cancellationToken).ConfigureAwait(false);
        long start = Stopwatch.GetTimestamp();
        double interval = Stopwatch.Frequency / (double)rate;
        // Each command within a quarter interval of its slot, at random: the rate holds on average, and the watchdog's
        // whole-second expiry cannot lock onto the stopped half of a strictly periodic stop/cont (it then never fired).
        var jitter = new Random(rate);
        for (int i = 0; i < events || Stopwatch.GetElapsedTime(start) < minimum || Sent % 2 == 1; i++)
        {
            long due = start + (long)((i + (jitter.NextDouble() - 0.5) / 2) * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (left > TimeSpan.FromMilliseconds(2)) await Task.Delay(left - TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
                else Thread.SpinWait(100);
            }
            await SendAsync(Sent % 2 == 0 ? Stop : Cont, cancellationToken).ConfigureAwait(false);
            Sent++;
        }
        // Disarmed, so that it does not fire into the next run.
        await SendAsync("{\"execute\":\"x-guest-watchdog\",\"arguments\":{\"timeout\":0}}\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAsync(byte[] command, CancellationToken cancellationToken) =>
        await _socket.SendAsync(command, SocketFlags.None, cancellationToken).ConfigureAwait(false);

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false)) > 0)
            {
                // Replies and events; a WATCHDOG event is never split across reads often enough to matter for a count,
                // and the count is only the "sent" column of the critical row.
                var chunk = buffer.AsSpan(0, read);
                int at;
                while ((at = chunk.IndexOf("\"WATCHDOG\""u8)) >= 0)
                {
                    Interlocked.Increment(ref _watchdogs);
                    chunk = chunk[(at + 10)..];
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Closed.
        }
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _drain.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The drain ends with the socket.
        }
        _stop.Dispose();
    }
}
