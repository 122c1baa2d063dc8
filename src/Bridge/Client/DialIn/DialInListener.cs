using System.Net.Sockets;
using Appliance.Bridge.Sockets;
using Appliance.Qmp;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Client.DialIn;

/// <summary>Accepts QMP connections from QEMU processes that dial the appliance (Proxmox qmeventd's pattern): each
/// connection is negotiated, named (<see cref="DialInNaming"/>) and served by that VM's supervisor, so it gets the same
/// states, gap markers and snapshots as a monitor the appliance dials. At most <see cref="MonitorOptions.MaxDialIns"/>
/// connections at once; a peer that misbehaves costs one connection, never the listener.</summary>
internal sealed class DialInListener(
    IReadOnlyList<QmpEndpoint> endpoints,
    MonitorOptions options,
    Func<string, QmpEndpoint, MonitorSupervisor?> supervisorFor,
    TimeProvider time,
    ILogger logger)
{
    private readonly QmpClientOptions _clientOptions = options.ToClientOptions();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _connections = [];
    private int _active; // across every listen socket: MaxDialIns is one budget, so this keeps its own loop

    /// <summary>Binds every socket, then accepts until cancelled; on the way out waits for every connection to end.</summary>
    /// <exception cref="IOException">A socket path is in use by a live listener, or cannot be bound.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var sockets = new List<(Socket Socket, QmpEndpoint Endpoint)>();
        try
        {
            foreach (var endpoint in endpoints) sockets.Add((Bind(endpoint), endpoint));
            await Task.WhenAll(sockets.Select(s => AcceptLoopAsync(s.Socket, s.Endpoint, cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (socket, endpoint) in sockets)
            {
                socket.Dispose();
                TryDelete(endpoint.Address);
            }
            Task[] open;
            lock (_gate) open = [.. _connections];
            await Task.WhenAll(open).ConfigureAwait(false);
        }
    }

    private Socket Bind(QmpEndpoint endpoint)
    {
        string path = endpoint.Address;
        UnixSocketFile.RemoveStale(path, $"Monitors:Listen {endpoint}");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            // Owner and group: QEMU often runs as another user sharing a group with the appliance (never world).
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            socket.Listen(Math.Min(options.MaxDialIns, 128));
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            socket.Dispose();
            throw new IOException($"Monitors:Listen {endpoint}: cannot listen on {path}: {e.Message}", e);
        }
        logger.LogInformation("listening for QEMU monitors that dial in on {Endpoint}", endpoint);
        return socket;
    }

    private async Task AcceptLoopAsync(Socket listener, QmpEndpoint endpoint, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors and the like: the listener stays, and tries again shortly.
                logger.LogWarning("accepting on {Endpoint} failed: {Problem}", endpoint, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (Interlocked.Increment(ref _active) > options.MaxDialIns)
            {
                Interlocked.Decrement(ref _active);
                logger.LogWarning("{Endpoint}: {Max} monitors already connected (Monitors:MaxDialIns); closing a new connection", endpoint, options.MaxDialIns);
                accepted.Dispose();
                continue;
            }
            var task = ServeConnectionAsync(accepted, endpoint, cancellationToken);
            lock (_gate) _connections.Add(task);
            _ = task.ContinueWith(t =>
            {
                lock (_gate) _connections.Remove(t);
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeConnectionAsync(Socket socket, QmpEndpoint endpoint, CancellationToken cancellationToken)
    {
        await Task.Yield(); // never run a peer's negotiation on the accept loop
        try
        {
            int? pid = PeerProcess.PeerPid(socket);
            var client = QmpClient.ForAcceptedSocket(socket, endpoint, _clientOptions, time, logger, pid is { } p ? $"dial-in pid {p}" : "dial-in");
            await using (client.ConfigureAwait(false))
            {
                string name;
                try
                {
                    await client.OpenAsync(cancellationToken).ConfigureAwait(false);
                    await client.NegotiateAsync(cancellationToken).ConfigureAwait(false);
                    name = await DialInNaming.NameAsync(client, pid, options.NegotiationTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    logger.LogWarning("{Endpoint}: a peer (pid {Pid}) dialled in but did not speak QMP: {Problem}", endpoint, pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown", e.Message);
                    return;
                }
                if (supervisorFor(name, endpoint) is not { } supervisor)
                {
                    logger.LogWarning("{Endpoint}: VM {Vm} dialled in, but that name belongs to a monitor the appliance dials, or too many dialled-in VMs are remembered; closing it", endpoint, name);
                    return;
                }
                client.ReportTo(supervisor.Counters);
                if (!await supervisor.ServeDialInAsync(client, cancellationToken).ConfigureAwait(false))
                {
                    logger.LogWarning("{Endpoint}: VM {Vm} dialled in again while already connected; closing the new connection", endpoint, name);
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            // One peer's trouble never reaches the listener or the process.
            logger.LogError(e, "{Endpoint}: a dialled-in monitor failed unexpectedly", endpoint);
        }
        finally
        {
            socket.Dispose();
            Interlocked.Decrement(ref _active);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind: the next start replaces a stale socket anyway.
        }
    }
}
