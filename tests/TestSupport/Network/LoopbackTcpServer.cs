using System.Net;
using System.Net.Sockets;

namespace Appliance.TestSupport.Network;

/// <summary>A TCP listener on 127.0.0.1 that hands every accepted socket to <see cref="OnAcceptedAsync"/> until it is
/// disposed: the accept loop and the shutdown that test servers (a relay, a fake broker) share.</summary>
public abstract class LoopbackTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    /// <summary>The port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Cancelled when the server is disposed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>Starts listening; call it at the end of the derived constructor, once its fields are set.</summary>
    protected void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Takes over one accepted client; the next accept waits until this returns.</summary>
    protected abstract Task OnAcceptedAsync(Socket client);

    /// <summary>Closes what the server opened, after the listener stopped.</summary>
    protected abstract void CloseSockets();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CloseSockets();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await OnAcceptedAsync(await _listener.AcceptSocketAsync(_stop.Token)).ConfigureAwait(false);
        }
    }
}
