using Appliance.Qmp;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Client;

/// <summary>Keeps one VM's monitor connected: connects, negotiates, publishes a gap marker with a state snapshot,
/// forwards every event to the <see cref="EventHub"/>, checks for stalls, and reconnects with capped exponential
/// backoff. Each VM has its own supervisor, so one VM's trouble never disturbs another.</summary>
public sealed class MonitorSupervisor
{
    private readonly QmpEndpoint _endpoint;
    private readonly MonitorOptions _options;
    private readonly QmpClientOptions _clientOptions;
    private readonly EventHub _hub;
    private readonly VmStatusBoard _board;
    private readonly CriticalEventClassifier _classifier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly RunStatusTracker _runStatus = new();
    private readonly StallCheck _stallCheck;
    private QmpClient? _client;
    private int _state = (int)MonitorState.Idle;
    private int _dialInBusy;
    private bool _dialInServed;

    /// <summary>Creates a supervisor; nothing happens until <see cref="RunAsync"/>.</summary>
    /// <param name="vm">The VM's name.</param>
    /// <param name="endpoint">Its monitor.</param>
    /// <param name="options">Timeouts, stall check and backoff (validated by the caller).</param>
    /// <param name="hub">Receives every event and gap marker.</param>
    /// <param name="board">Receives monitor state, run status and last event.</param>
    /// <param name="classifier">Marks critical events.</param>
    /// <param name="timeProvider">Clock for timeouts, stall checks and backoff.</param>
    /// <param name="logger">Diagnostics.</param>
    public MonitorSupervisor(string vm, QmpEndpoint endpoint, MonitorOptions options, EventHub hub, VmStatusBoard board,
        CriticalEventClassifier classifier, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vm);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(classifier);
        Vm = vm;
        _endpoint = endpoint;
        _options = options;
        _clientOptions = options.ToClientOptions();
        _hub = hub;
        _board = board;
        _classifier = classifier;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _backoff = new ReconnectBackoff(options.ReconnectMin, options.ReconnectMax);
        _stallCheck = new StallCheck(options.StallCheckInterval, options.StallTimeout, _time);
    }

    /// <summary>The VM's name.</summary>
    public string Vm { get; }

    /// <summary>The monitor endpoint.</summary>
    public QmpEndpoint Endpoint => _endpoint;

    /// <summary>The connection state now.</summary>
    public MonitorState State => (MonitorState)Volatile.Read(ref _state);

    /// <summary>Counters across all connections of this supervisor.</summary>
    public MonitorCounters Counters { get; } = new();

    /// <summary>Executes a command on the VM's current connection.</summary>
    /// <exception cref="QmpConnectionLostException">The monitor is not connected now, or the connection ended first.</exception>
    /// <exception cref="QmpTimeoutException">No reply within the command timeout.</exception>
    public Task<QmpResponse> ExecuteAsync(string command, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        var client = Volatile.Read(ref _client);
        if (client is null || client.IsClosed || State is not (MonitorState.Running or MonitorState.Stalled))
        {
            return Task.FromException<QmpResponse>(new QmpConnectionLostException($"monitor of VM '{Vm}' is not connected (state {State})"));
        }
        return client.ExecuteAsync(command, arguments, cancellationToken: cancellationToken);
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires: connect, serve, reconnect after backoff.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int failures = 0;
        bool connectedBefore = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                bool reachedRunning = await ServeOneConnectionAsync(connectedBefore, cancellationToken).ConfigureAwait(false);
                connectedBefore |= reachedRunning;
                failures = reachedRunning ? 0 : failures + 1;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                break; // Stopping: whatever failed on the way out does not matter.
            }
            catch (Exception e)
            {
                // Never let one VM's trouble end its supervision: log, back off, try again.
                _logger.LogError(e, "VM {Vm}: monitor {Endpoint} failed unexpectedly", Vm, _endpoint);
                failures++;
            }
            finally
            {
                SetState(MonitorState.Disconnected);
            }
            try
            {
                await Task.Delay(_backoff.Delay(Math.Max(0, failures - 1)), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One connection from open to end; true when it reached Running.</summary>
    private async Task<bool> ServeOneConnectionAsync(bool reconnect, CancellationToken cancellationToken)
    {
        var client = new QmpClient(_endpoint, _clientOptions, _time, _logger, Counters, Vm);
        await using (client.ConfigureAwait(false))
        {
            return await SnapshotAndServeAsync(client, async () =>
            {
                SetState(MonitorState.Connecting);
                await client.OpenAsync(cancellationToken).ConfigureAwait(false);
                SetState(MonitorState.Negotiating);
                await client.NegotiateAsync(cancellationToken).ConfigureAwait(false);
            }, reconnect, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Serves one connection that the VM's QEMU opened to the appliance (<c>Monitors:Listen</c>), already
    /// negotiated: snapshot, gap marker, then events and stall checks until it ends. The caller owns the client.</summary>
    /// <returns>False, without touching the client, when this VM is already served by another connection.</returns>
    internal async Task<bool> ServeDialInAsync(QmpClient client, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _dialInBusy, 1, 0) != 0) return false;
        try
        {
            SetState(MonitorState.Negotiating);
            _dialInServed |= await SnapshotAndServeAsync(client, null, _dialInServed, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            SetState(MonitorState.Disconnected);
            Volatile.Write(ref _dialInBusy, 0);
        }
    }

    /// <summary>Readies the connection (<paramref name="prepare"/>: open and negotiate, or nothing for a monitor that
    /// dialled in), takes the snapshot, then serves until the connection ends; false when it failed before Running.</summary>
    private async Task<bool> SnapshotAndServeAsync(QmpClient client, Func<Task>? prepare, bool reconnect, CancellationToken cancellationToken)
    {
        MonitorSnapshot snapshot;
        try
        {
            if (prepare is not null) await prepare().ConfigureAwait(false);
            snapshot = await MonitorSnapshot.TakeAsync(client, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Counters.CountConnectFailure();
            _logger.LogWarning("VM {Vm}: monitor {Endpoint} not available: {Problem}", Vm, _endpoint, e.Message);
            return false;
        }
        await ServeNegotiatedAsync(client, snapshot, reconnect, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Serves a negotiated connection until it ends: gap marker with the snapshot, then events and stall checks.</summary>
    private async Task ServeNegotiatedAsync(QmpClient client, MonitorSnapshot snapshot, bool reconnect, CancellationToken cancellationToken)
    {
        Counters.CountConnect();
        _runStatus.Reset();
        await PublishAsync(snapshot.ToGapEvent(reconnect, _time.GetUtcNow()), _time.GetUtcNow(), VmEventFlags.Gap, cancellationToken)
            .ConfigureAwait(false);
        if (snapshot.RunStatus is { } status) _board.SetRunStatus(Vm, status);
        Volatile.Write(ref _client, client);
        SetState(MonitorState.Running);
        _logger.LogInformation("VM {Vm}: monitor {Endpoint} running (QEMU {Version})", Vm, _endpoint, client.Greeting?.Version);
        try
        {
            await ServeAsync(client, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _client, null);
        }
        _logger.LogWarning("VM {Vm}: monitor {Endpoint} lost: {Problem}", Vm, _endpoint, client.CloseReason?.Message);
    }

    /// <summary>Forwards events and runs stall checks until the connection ends.</summary>
    private async Task ServeAsync(QmpClient client, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stallCheck = _stallCheck.RunAsync(client, OnStallChanged, OnStallCheckAnswered, stop.Token);
        try
        {
            await foreach (var received in client.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await ForwardAsync(received, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await stallCheck.ConfigureAwait(false);
        }
    }

    private async Task ForwardAsync(ReceivedQmpEvent received, CancellationToken cancellationToken)
    {
        var flags = _classifier.IsCritical(received.Event) ? VmEventFlags.Critical : VmEventFlags.None;
        if (_runStatus.Apply(received.Event) is { } status) _board.SetRunStatus(Vm, status);
        await PublishAsync(received.Event, received.Received, flags, cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishAsync(QmpEvent qmpEvent, DateTimeOffset received, VmEventFlags flags, CancellationToken cancellationToken)
    {
        _board.SetLastEvent(Vm, qmpEvent.Name, received);
        await _hub.PublishAsync(new VmEvent(Vm, qmpEvent, received, flags), cancellationToken).ConfigureAwait(false);
    }

    private void OnStallChanged(bool stalled)
    {
        if (stalled)
        {
            Counters.CountStall();
            _logger.LogWarning("VM {Vm}: monitor {Endpoint} stalled: query-status unanswered after {Timeout}", Vm, _endpoint, _options.StallTimeout);
        }
        SetState(stalled ? MonitorState.Stalled : MonitorState.Running);
    }

    private void OnStallCheckAnswered(QmpResponse reply)
    {
        if (reply is QmpReturn r && RunStatusTracker.StringMember(r.Value, "status") is { } status) _board.SetRunStatus(Vm, status);
    }

    private void SetState(MonitorState state)
    {
        if ((MonitorState)Interlocked.Exchange(ref _state, (int)state) != state) _board.SetMonitorState(Vm, state);
    }
}
