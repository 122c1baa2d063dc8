using System.Threading.Channels;
using Appliance.Bridge.Mqtt.Client;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>Executes allowlisted commands from <c>{prefix}/{node}/vm/{vm}/cmd</c> and replies, QMP-shaped, on the
/// MQTT 5 response topic (with the correlation data), else the payload's <c>reply-to</c>, else <c>.../cmd/reply</c>.
/// Every payload is checked on arrival (<see cref="CommandGate"/>); only a checked, freshly serialized command is
/// queued for its VM. Anything refused gets an error reply and is never executed; a caller-chosen reply topic outside
/// the reply filter gets nothing published on it.</summary>
internal sealed partial class CommandHandler
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly MqttMirrorOptions _options;
    private readonly MqttTopics _topics;
    private readonly IVmCommandGateway _gateway;
    private readonly VmStatusBoard _board;
    private readonly IAlarmAcknowledger _acknowledger;
    private readonly MqttConnection _connection;
    private readonly MirrorCounters _counters;
    private readonly ILogger _logger;
    private readonly CommandGate _gate;
    private readonly ReplyTopicPolicy _replyTopics;
    private readonly CommandRateLimiter _rate;
    private readonly LogThrottle _logThrottle;
    private readonly Channel<QueuedCommand> _queue;

    public CommandHandler(MqttMirrorOptions options, MqttTopics topics, IVmCommandGateway gateway, VmStatusBoard board,
        IAlarmAcknowledger acknowledger, MqttConnection connection, MirrorCounters counters, ILogger logger, TimeProvider time)
    {
        _acknowledger = acknowledger;
        _options = options;
        _topics = topics;
        _gateway = gateway;
        _board = board;
        _connection = connection;
        _counters = counters;
        _logger = logger;
        _gate = new CommandGate(options.EffectiveAllowedCommands, options.MaxCommandBytes);
        _replyTopics = new ReplyTopicPolicy(options.EffectiveReplyTopicFilter);
        _rate = new CommandRateLimiter(options.CommandsPerSecond, options.CommandBurst, time);
        _logThrottle = new LogThrottle(LogInterval, time);
        // Wait mode so that TryWrite reports a full queue (DropWrite would report success and drop silently).
        _queue = Channel.CreateBounded<QueuedCommand>(new BoundedChannelOptions(options.CommandQueueLength)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>A checked command waiting for its VM, with where its reply goes.</summary>
    private sealed record QueuedCommand(string Vm, MqttCommand Command, string ReplyTopic, byte[] CorrelationData);

    /// <summary>Checks a command message and queues it (called on the network thread); a refusal is answered here.</summary>
    public void Enqueue(MqttIncomingMessage message)
    {
        _counters.AddCommand();
        string? vm = _topics.VmOfCommandTopic(message.Topic);
        string ownReplyTopic = _topics.CommandReply(vm ?? "_");
        var verdict = _gate.Check(message.Payload);
        string? asked = message.ResponseTopic ?? verdict.ReplyTo;
        if (asked is not null && _replyTopics.Refusal(asked) is { } why)
        {
            _counters.AddReplyTopicRefused();
            if (_logThrottle.ShouldLog("reply-topic", out int held)) LogReplyTopicRefused(vm ?? "?", why, held);
            Refuse(ownReplyTopic, message, verdict.Id, QmpErrorClass.GenericError, $"Reply topic refused: {why}");
            return;
        }
        string replyTopic = asked ?? ownReplyTopic;
        if (verdict.Command is not { } command)
        {
            LogRefusal(vm, "?", verdict.Error!);
            Refuse(replyTopic, message, verdict.Id, verdict.ErrorClass!, verdict.Error!);
            return;
        }
        if (vm is null || !IsKnownVm(vm))
        {
            string error = $"No VM named '{vm}'";
            LogRefusal(vm, command.Execute, error);
            Refuse(replyTopic, message, command.Id, QmpErrorClass.GenericError, error);
            return;
        }
        if (!_rate.TryAcquire(vm))
        {
            _counters.AddRateLimited();
            if (_logThrottle.ShouldLog("rate", out int held)) LogRateLimited(vm, _options.CommandsPerSecond, held);
            RefuseBusy(asked, message, command, $"command queue full: VM '{vm}' takes at most {_options.CommandsPerSecond:0.##} commands per second");
            return;
        }
        if (!_queue.Writer.TryWrite(new QueuedCommand(vm, command, replyTopic, message.CorrelationData)))
        {
            _counters.AddQueueFull();
            if (_logThrottle.ShouldLog("queue", out int held)) LogQueueFull(vm, command.Execute, _options.CommandQueueLength, held);
            RefuseBusy(asked, message, command, "command queue full");
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var queued in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                byte[] reply = await ExecuteAsync(queued.Vm, queued.Command, cancellationToken).ConfigureAwait(false);
                _connection.Publish(queued.ReplyTopic, reply, retain: false, messageExpiry: _options.CommandReplyExpiry, correlationData: queued.CorrelationData);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task<byte[]> ExecuteAsync(string vm, MqttCommand command, CancellationToken cancellationToken)
    {
        LogExecuting(vm, command.Execute);
        if (command.Execute == MqttCommandNames.Acknowledge)
        {
            await _acknowledger.AcknowledgeAsync(vm, Indicators.AcknowledgeSource.Mqtt, cancellationToken).ConfigureAwait(false);
            return CommandReplies.Return(default, command.Id.Span);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CommandTimeout);
        try
        {
            var response = await _gateway.ExecuteAsync(vm, command.Execute, command.Arguments, timeout.Token).ConfigureAwait(false);
            if (response is QmpErrorResponse) _counters.AddCommandError();
            return CommandReplies.From(response, command.Id.Span);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(QmpErrorClass.GenericError, $"No reply from VM '{vm}' within {_options.CommandTimeout.TotalSeconds:0.#} s", command, vm);
        }
        catch (KeyNotFoundException)
        {
            return Failed(QmpErrorClass.GenericError, $"No VM named '{vm}'", command, vm);
        }
        catch (InvalidOperationException e)
        {
            return Failed(QmpErrorClass.GenericError, $"VM '{vm}' monitor is not connected: {e.Message}", command, vm);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever the gateway throws, the caller gets an answer and the mirror keeps running.
            LogGatewayFailed(vm, command.Execute, e);
            return Failed(QmpErrorClass.GenericError, $"Command failed: {e.Message}", command, vm);
        }
    }

    private bool IsKnownVm(string vm) => _gateway.VmNames.Contains(vm) || _board.Get(vm) is not null;

    private byte[] Failed(string errorClass, string description, MqttCommand command, string vm)
    {
        _counters.AddCommandError();
        LogRefusal(vm, command.Execute, description);
        return CommandReplies.Error(errorClass, description, command.Id.Span);
    }

    private void Refuse(string topic, MqttIncomingMessage message, ReadOnlyMemory<byte> id, string errorClass, string description)
    {
        _counters.AddCommandError();
        _connection.Publish(topic, CommandReplies.Error(errorClass, description, id.Span), retain: false, messageExpiry: _options.CommandReplyExpiry,
            correlationData: message.CorrelationData);
    }

    /// <summary>Back-pressure is answered only when the sender asked for a reply, so a flood is not mirrored onto
    /// the VM's own reply topic; the counters and the log have it either way.</summary>
    private void RefuseBusy(string? askedTopic, MqttIncomingMessage message, MqttCommand command, string description)
    {
        _counters.AddCommandError();
        if (askedTopic is null) return;
        _connection.Publish(askedTopic, CommandReplies.Error(QmpErrorClass.GenericError, description, command.Id.Span), retain: false,
            messageExpiry: _options.CommandReplyExpiry, correlationData: message.CorrelationData);
    }

    private void LogRefusal(string? vm, string command, string why)
    {
        if (_logThrottle.ShouldLog("refused", out int held)) LogRefusedCommand(vm ?? "?", command, why, held);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT command {Command} for VM {Vm}")]
    private partial void LogExecuting(string vm, string command);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT command {Command} for VM {Vm} refused: {Why} ({Held} more refusals not logged)")]
    private partial void LogRefusedCommand(string vm, string command, string why, int held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT command for VM {Vm} refused, nothing published on its reply topic: {Why} ({Held} more not logged)")]
    private partial void LogReplyTopicRefused(string vm, string why, int held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT command for VM {Vm} refused: over {Rate} commands per second ({Held} more not logged)")]
    private partial void LogRateLimited(string vm, double rate, int held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT command queue full ({Length} waiting); refused {Command} for VM {Vm} ({Held} more not logged)")]
    private partial void LogQueueFull(string vm, string command, int length, int held);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT command {Command} for VM {Vm} failed in the gateway")]
    private partial void LogGatewayFailed(string vm, string command, Exception exception);
}
