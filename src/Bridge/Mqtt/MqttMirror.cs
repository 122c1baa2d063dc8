using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt.Client;
using Appliance.Bridge.Mqtt.Commands;
using Appliance.Bridge.Mqtt.HomeAssistant;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Mqtt;

/// <summary>Mirrors the appliance to MQTT: journaled events (at least once, in order, from a durable cursor), VM
/// state, monitor state and indicators (retained), node status (birth and last will), commands in, and optional
/// Home Assistant discovery. Topic layout: docs/mqtt.md.</summary>
public sealed partial class MqttMirror : BackgroundService, IIndicatorStateSink
{
    // A clean stop gives the broker this long to acknowledge "offline"; what is not delivered waits in the journal.
    private static readonly TimeSpan OfflineAckWait = TimeSpan.FromMilliseconds(250);

    private readonly MqttMirrorOptions _options;
    private readonly VmStatusBoard _board;
    private readonly IJournalReader _journal;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly MqttTopics _topics;
    private readonly MqttConnection _connection;
    private readonly EventForwarder _forwarder;
    private readonly RetainedStatePublisher _state;
    private readonly CommandHandler _commands;
    private readonly DiscoveryPublisher? _discovery;

    /// <summary>Creates the mirror; nothing connects until the host starts it.</summary>
    /// <param name="options">Settings, already validated (<see cref="MqttMirrorOptions.Problems"/>, run once by the host's options validation).</param>
    /// <param name="journal">The committed events and the durable cursor.</param>
    /// <param name="board">VM state.</param>
    /// <param name="gateway">Where allowlisted commands are executed.</param>
    /// <param name="logger">Log.</param>
    /// <param name="timeProvider">Clock for cursor saving and periodic counters; the system clock when null.</param>
    /// <param name="acknowledger">Where the acknowledge command goes; when null nothing latches alarms.</param>
    public MqttMirror(MqttMirrorOptions options, IJournalReader journal, VmStatusBoard board, IVmCommandGateway gateway,
        ILogger<MqttMirror> logger, TimeProvider? timeProvider = null, IAlarmAcknowledger? acknowledger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The options arrive validated (IValidateOptions at host start); the mirror trusts them.
        _options = options;
        _board = board;
        _journal = journal;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _topics = new MqttTopics(options.TopicPrefix, options.EffectiveNode);
        var broker = options.Broker;
        var settings = new MqttConnectionSettings(broker,
            string.IsNullOrEmpty(broker.ClientId) ? $"appliance-{options.EffectiveNode}" : broker.ClientId,
            MqttPassword.Resolve(broker))
        {
            Will = (_topics.Status, "offline"u8.ToArray()),
        };
        _connection = new MqttConnection(settings, logger, _time);
        _forwarder = new EventForwarder(options, _topics, journal, _connection, Counters, logger, _time);
        _state = new RetainedStatePublisher(_topics, board, journal, _connection, Counters, () => _forwarder.Cursor, _time);
        _commands = new CommandHandler(options, _topics, gateway, board, acknowledger ?? NoAlarmAcknowledger.Instance, _connection, Counters, logger, _time);
        _discovery = options.HomeAssistantDiscovery ? new DiscoveryPublisher(options, _topics, board, gateway, _connection) : null;
    }

    /// <summary>What the mirror has done so far.</summary>
    public MirrorCounters Counters { get; } = new();

    /// <summary>Why the mirror could not start (for example a TLS file it cannot read), or null.</summary>
    public string? StartProblem { get; private set; }

    /// <summary>Why the connection last ended or was refused, or null before any.</summary>
    public string? LastDisconnectReason { get; private set; }

    /// <summary>True while connected to the broker.</summary>
    public bool IsConnected => _connection.IsConnected;

    /// <summary>The last journal seq delivered (acknowledged or quarantined), everything before it included.</summary>
    public long DeliveredThrough => _forwarder.Cursor;

    /// <summary>Committed events not delivered yet (what <see cref="MqttMirrorOptions.MaxBacklogEvents"/> bounds).</summary>
    public long BacklogDepth => Math.Max(0, _journal.LastCommittedSeq - DeliveredThrough);

    /// <summary>How long ago the oldest event not delivered yet was received (what
    /// <see cref="MqttMirrorOptions.MaxBacklogAge"/> bounds); zero when everything is delivered. Reads one journal row.</summary>
    public TimeSpan BacklogAge
    {
        get
        {
            var oldest = _journal.ReadAfter(DeliveredThrough, 1);
            return oldest.Count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(0, (_time.GetUtcNow() - oldest[0].Received).Ticks));
        }
    }

    /// <inheritdoc />
    public void PublishIndicator(string name, string stateJson) => _state.PublishIndicator(name, stateJson);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _connection.Connected += OnConnected;
        _connection.Disconnected += OnDisconnected;
        _connection.MessageReceived += OnMessage;
        _board.Changed += OnVmChanged;
        try
        {
            try
            {
                _connection.Start();
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException)
            {
                // The rest of the appliance (journal, indicators) keeps running; events wait in the journal.
                StartProblem = e.Message;
                LogStartFailed(e.Message, e);
                return;
            }
            await Task.WhenAll(
                _forwarder.RunAsync(stoppingToken),
                _state.RunAsync(stoppingToken),
                _commands.RunAsync(stoppingToken)).ConfigureAwait(false);
        }
        finally
        {
            _board.Changed -= OnVmChanged;
            await GoOfflineAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _connection.Dispose();
        base.Dispose();
    }

    private void OnConnected(bool sessionPresent)
    {
        // Subscriptions first: a client that has seen "online" can rely on commands being heard.
        _connection.Subscribe(_topics.CommandFilter, 1);
        if (_discovery is not null) _connection.Subscribe(_discovery.StatusTopic, 1);
        _connection.Publish(_topics.Status, "online"u8, retain: true);
        _discovery?.AnnounceAll();
        _state.RepublishAll();
        _forwarder.Connected();
    }

    private void OnDisconnected(string reason)
    {
        LastDisconnectReason = reason;
        _forwarder.Disconnected();
        _discovery?.Reset();
    }

    private void OnMessage(MqttIncomingMessage message)
    {
        if (_discovery is not null && message.Topic == _discovery.StatusTopic) _discovery.HomeAssistantStatus(message.Payload);
        else _commands.Enqueue(message);
    }

    private void OnVmChanged(string vm)
    {
        _state.VmChanged(vm);
        _discovery?.VmSeen(vm);
    }

    /// <summary>Final counters, then a retained <c>offline</c> (a clean DISCONNECT suppresses the last will).</summary>
    private async Task GoOfflineAsync()
    {
        if (!_connection.IsConnected)
        {
            await _connection.StopAsync().ConfigureAwait(false);
            return;
        }
        _state.PublishMirror();
        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_connection.Publish(_topics.Status, "offline"u8, retain: true, _ => acked.TrySetResult()).Accepted)
        {
            await Task.WhenAny(acked.Task, Task.Delay(OfflineAckWait, _time)).ConfigureAwait(false);
        }
        await _connection.StopAsync().ConfigureAwait(false);
        LogStopped(_forwarder.Cursor);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "MQTT mirror cannot start: {Reason}")]
    private partial void LogStartFailed(string reason, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT mirror stopped; delivered through journal seq {Cursor}")]
    private partial void LogStopped(long cursor);
}
