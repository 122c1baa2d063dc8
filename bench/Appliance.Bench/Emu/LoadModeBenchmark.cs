using Appliance.Qmp;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Appliance.Emu;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bench.Emu;

/// <summary>Load-mode throughput to one local client.</summary>
/// <param name="Events">Events received.</param>
/// <param name="Bytes">Bytes received for them.</param>
/// <param name="Elapsed">From sending <c>x-load</c> to the last event received.</param>
public sealed record LoadModeResult(long Events, long Bytes, TimeSpan Elapsed)
{
    /// <summary>Events per second (target: 200,000 or more).</summary>
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
}

/// <summary>One VM in load mode streaming events over a unix socket to a client that only counts lines.</summary>
public static class LoadModeBenchmark
{
    /// <summary>Runs the measurement.</summary>
    /// <param name="events">How many events to ask for.</param>
    /// <param name="directory">A writable directory for the unix socket.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<LoadModeResult> RunAsync(long events, string directory, CancellationToken cancellationToken)
    {
        var options = new EmulatedVmOptions { Name = "load" };
        string path = Path.Combine(directory, "load.sock");
        options.QmpEndpoints.Add(QmpEndpoint.Unix(path));
        var vm = new EmulatedVm(options, TimeProvider.System, NullLoggerFactory.Instance);
        await using var vmScope = vm.ConfigureAwait(false);
        await vm.StartAsync(cancellationToken).ConfigureAwait(false);

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        var buffer = new byte[256 * 1024];
        // Greeting, then the qmp_capabilities reply: two lines before the load starts.
        await socket.SendAsync(Encoding.ASCII.GetBytes("{\"execute\":\"qmp_capabilities\"}\r\n"), cancellationToken).ConfigureAwait(false);
        long lines = 0, bytes = 0;
        while (lines < 2) lines += CountLines(buffer, await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false));

        var clock = Stopwatch.StartNew();
        await socket.SendAsync(Encoding.ASCII.GetBytes($"{{\"execute\":\"x-load\",\"arguments\":{{\"count\":{events}}}}}\r\n"), cancellationToken).ConfigureAwait(false);
        long expected = lines + 1 + events;
        while (lines < expected)
        {
            int n = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException($"emulator closed the connection after {lines} of {expected} lines");
            lines += CountLines(buffer, n);
            bytes += n;
        }
        clock.Stop();
        return new LoadModeResult(events, bytes, clock.Elapsed);
    }

    private static long CountLines(byte[] buffer, int count) => buffer.AsSpan(0, count).Count((byte)'\n');
}
