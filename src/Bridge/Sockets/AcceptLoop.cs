using System.Net.Sockets;

namespace Appliance.Bridge.Sockets;

/// <summary>The accept loop every listener of the appliance shares (control socket, metrics, monitors that dial in):
/// accepts until cancelled or the listener is disposed, hands each connection to its own task, never runs more than a
/// cap at once (the rest are closed on arrival), and survives a failed accept (a peer that reset first, no descriptors
/// left) by reporting it and trying again shortly instead of spinning or ending.</summary>
public static class AcceptLoop
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Runs the loop; returns once <paramref name="cancellationToken"/> is cancelled or the listener disposed.</summary>
    /// <param name="listener">A bound, listening socket.</param>
    /// <param name="maxConnections">Connections served at once; one more is closed as soon as it is accepted.</param>
    /// <param name="serve">Serves one connection; the loop disposes the socket when it ends.</param>
    /// <param name="acceptFailed">Told of each failed accept.</param>
    /// <param name="refused">Told of each connection closed for the cap.</param>
    /// <param name="time">The clock of the pause after a failed accept.</param>
    /// <param name="cancellationToken">Ends the loop.</param>
    public static async Task RunAsync(Socket listener, int maxConnections, Func<Socket, Task> serve, Action<SocketException> acceptFailed,
        Action refused, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(serve);
        ArgumentNullException.ThrowIfNull(acceptFailed);
        ArgumentNullException.ThrowIfNull(refused);
        int active = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                || (e is SocketException && cancellationToken.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException e)
            {
                acceptFailed(e);
                await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (Interlocked.Increment(ref active) > maxConnections)
            {
                Interlocked.Decrement(ref active);
                refused();
                client.Dispose();
                continue;
            }
            _ = ServeAsync(client, serve, () => Interlocked.Decrement(ref active));
        }
    }

    private static async Task ServeAsync(Socket client, Func<Socket, Task> serve, Action done)
    {
        try
        {
            await Task.Yield(); // never run a peer's first bytes on the accept loop
            await serve(client).ConfigureAwait(false);
        }
        finally
        {
            client.Dispose();
            done();
        }
    }
}
