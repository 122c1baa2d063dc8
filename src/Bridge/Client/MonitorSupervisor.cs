using Appliance.Qmp;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;
using Appliance.Qmp.Replies;
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
    private readonly PeerLogger _peerLog; // what the monitor sends reaches the log through here: limited and escaped
    private readonly ReconnectBackoff _backoff;
    private readonly RunStatusTracker _runStatus = new();
    private readonly StallCheck _stallCheck;
    private readonly Lock _stateGate = new();
    private QmpClient? _client;
    private int _state = (int)MonitorState.Idle;
    private int _dialInBusy;
    private bool _dialInServed;
    private bool _stalled;
    private bool _backpressured;

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
        _peerLog = new PeerLogger(_logger, $"VM {vm}", _time);
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
        if (client is null || client.IsClosed || State is not (MonitorState.Running or MonitorState.Stalled or MonitorState.Backpressured))
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
                lock (_stateGate) SetState(MonitorState.Disconnected);
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
        var client = new QmpClient(_endpoint, _clientOptions, _time, _peerLog, Counters, Vm);
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
            lock (_stateGate) SetState(MonitorState.Disconnected);
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
            _peerLog.LogWarning("VM {Vm}: monitor {Endpoint} not available: {Problem}", Vm, _endpoint, e.Message);
            return false;
        }
        await ServeNegotiatedAsync(client, snapshot, reconnect, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Serves a negotiated connection until it ends: gap marker with the snapshot, then events and stall checks.</summary>
    private async Task ServeNegotiatedAsync(QmpClient client, MonitorSnapshot snapshot, bool reconnect, CancellationToken cancellationToken)
    {
        Counters.CountConnect();
        _runStatus.Reset(snapshot.RunStatus);
        await PublishAsync(snapshot.ToGapEvent(reconnect, _time.GetUtcNow()), _time.GetUtcNow(), VmEventFlags.Gap, cancellationToken)
            .ConfigureAwait(false);
        if (snapshot.RunStatus is { } status) _board.SetRunStatus(Vm, status);
        Volatile.Write(ref _client, client);
        lock (_stateGate)
        {
            _stalled = false;
            _backpressured = false;
            SetState(MonitorState.Running);
        }
        _logger.LogInformation("VM {Vm}: monitor {Endpoint} running (QEMU {Version})", Vm, _endpoint, client.Greeting?.Version);
        try
        {
            await ServeAsync(client, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _client, null);
        }
        _peerLog.LogWarning("VM {Vm}: monitor {Endpoint} lost: {Problem}", Vm, _endpoint, client.CloseReason?.Message);
    }

    /// <summary>Reads events into a backlog that a pump hands to the hub, and runs stall checks, until the connection
    /// ends; then hands the hub what was read before returning (so a reconnect's gap marker comes after it).</summary>
    /// <remarks>Reading never waits on the journal: while it pushes back, the backlog grows (the monitor is
    /// Backpressured), replies keep being read, and the stall check sees QEMU answer, so nothing is reconnected.</remarks>
    private async Task ServeAsync(QmpClient client, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stallCheck = _stallCheck.RunAsync(client, OnStallChanged, OnStallCheckAnswered, stop.Token);
        var backlog = new MonitorBacklog(_options.BacklogCapacity);
        var pump = PumpAsync(backlog, cancellationToken);
        long number = 0;
        try
        {
            await foreach (var received in client.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                backlog.Add(Received(received), ++number);
            }
        }
        finally
        {
            backlog.Complete();
            await stop.CancelAsync().ConfigureAwait(false);
            await stallCheck.ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
    }

    private VmEvent Received(ReceivedQmpEvent received)
    {
        var flags = _classifier.IsCritical(received.Event) ? VmEventFlags.Critical : VmEventFlags.None;
        if (_runStatus.Apply(received.Event) is { } status) _board.SetRunStatus(Vm, status);
        _board.Events.Count(Vm, received.Event.Name, received.Received);
        return new VmEvent(Vm, received.Event, received.Received, flags) { RunState = _runStatus.Current };
    }

    /// <summary>Hands the backlog to the hub in order; a publish that has to wait for the journal makes the monitor
    /// Backpressured until the backlog is empty again.</summary>
    private async Task PumpAsync(MonitorBacklog backlog, CancellationToken cancellationToken)
    {
        try
        {
            while (await backlog.WaitToTakeAsync(cancellationToken).ConfigureAwait(false))
            {
                while (backlog.TryTake(out var vmEvent, out var loss))
                {
                    if (loss is { } lost) vmEvent = LossMarker(lost);
                    var publish = _hub.PublishAsync(vmEvent!, cancellationToken);
                    if (!publish.IsCompleted) SetBackpressured(true);
                    await publish.ConfigureAwait(false);
                    if (backlog.Count == 0) SetBackpressured(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping while the journal pushes back: what is still in the backlog never reached the journal.
            if (backlog.Count > 0) _logger.LogWarning("VM {Vm}: stopping with {Count} events not handed to the journal", Vm, backlog.Count);
        }
    }

    private VmEvent LossMarker(LossRange lost)
    {
        Counters.CountLost(lost.Count);
        _logger.LogError("VM {Vm}: backlog of {Capacity} events full while the journal pushed back: lost {Count} events ({First}..{Last} of this connection)",
            Vm, _options.BacklogCapacity, lost.Count, lost.First, lost.Last);
        var now = _time.GetUtcNow();
        // No run state: the tracker is ahead of the events still queued behind the marker, which carry their own.
        return new VmEvent(Vm, BacklogLossMarker.Create(lost, now), now, VmEventFlags.Gap);
    }

    private async Task PublishAsync(QmpEvent qmpEvent, DateTimeOffset received, VmEventFlags flags, CancellationToken cancellationToken)
    {
        _board.Events.Count(Vm, qmpEvent.Name, received);
        await _hub.PublishAsync(new VmEvent(Vm, qmpEvent, received, flags) { RunState = _runStatus.Current }, cancellationToken).ConfigureAwait(false);
    }

    private void OnStallChanged(bool stalled)
    {
        if (stalled)
        {
            Counters.CountStall();
            _logger.LogWarning("VM {Vm}: monitor {Endpoint} stalled: query-status unanswered after {Timeout}", Vm, _endpoint, _options.StallTimeout);
        }
        lock (_stateGate)
        {
            _stalled = stalled;
            SetConnectedState();
        }
    }

    private void SetBackpressured(bool backpressured)
    {
        lock (_stateGate)
        {
            if (_backpressured == backpressured) return;
            _backpressured = backpressured;
            if (backpressured) Counters.CountBackpressure();
            SetConnectedState();
        }
        if (backpressured) _logger.LogWarning("VM {Vm}: backpressured: the journal is behind; events wait in memory (up to {Capacity})", Vm, _options.BacklogCapacity);
        else _logger.LogInformation("VM {Vm}: backpressure over: the journal caught up", Vm);
    }

    // Only while connected: a late pump or stall check must not revive a connection that has ended.
    private void SetConnectedState()
    {
        if (State is not (MonitorState.Running or MonitorState.Stalled or MonitorState.Backpressured)) return;
        SetState(_stalled ? MonitorState.Stalled : _backpressured ? MonitorState.Backpressured : MonitorState.Running);
    }

    private void OnStallCheckAnswered(QmpResponse reply)
    {
        if (QmpReplies.Status(reply)?.Status is not { } status) return;
        _runStatus.Observe(status);
        _board.SetRunStatus(Vm, status);
    }

    private void SetState(MonitorState state)
    {
        if ((MonitorState)Interlocked.Exchange(ref _state, (int)state) != state) _board.SetMonitorState(Vm, state);
    }
}
