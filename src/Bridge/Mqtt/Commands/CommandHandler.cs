using System.Collections.Frozen;
using System.Threading.Channels;
using Appliance.Bridge.Mqtt.Client;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>Executes allowlisted commands from <c>{prefix}/{node}/vm/{vm}/cmd</c> and replies, QMP-shaped, on the
/// MQTT 5 response topic (with the correlation data), else the payload's <c>reply-to</c>, else <c>.../cmd/reply</c>.
/// Anything not allowed or not valid gets an error reply and is never executed.</summary>
internal sealed partial class CommandHandler
{
    private const int QueueLength = 64;

    private readonly MqttMirrorOptions _options;
    private readonly MqttTopics _topics;
    private readonly IVmCommandGateway _gateway;
    private readonly VmStatusBoard _board;
    private readonly MqttConnection _connection;
    private readonly MirrorCounters _counters;
    private readonly ILogger _logger;
    private readonly FrozenSet<string> _allowed;
    private readonly Channel<MqttIncomingMessage> _queue = Channel.CreateBounded<MqttIncomingMessage>(
        new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public CommandHandler(MqttMirrorOptions options, MqttTopics topics, IVmCommandGateway gateway, VmStatusBoard board,
        MqttConnection connection, MirrorCounters counters, ILogger logger)
    {
        _options = options;
        _topics = topics;
        _gateway = gateway;
        _board = board;
        _connection = connection;
        _counters = counters;
        _logger = logger;
        _allowed = options.AllowedCommands.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Queues a command message (called on the network thread); a flood beyond the queue is dropped.</summary>
    public void Enqueue(MqttIncomingMessage message)
    {
        if (!_queue.Writer.TryWrite(message)) LogDropped(message.Topic);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await HandleAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    internal async Task HandleAsync(MqttIncomingMessage message, CancellationToken cancellationToken)
    {
        _counters.AddCommand();
        string? vm = _topics.VmOfCommandTopic(message.Topic);
        var parsed = MqttCommandParser.Parse(message.Payload);
        string replyTopic = message.ResponseTopic ?? parsed.ReplyTo ?? _topics.CommandReply(vm ?? "_");
        byte[] reply;
        if (parsed.Command is not { } command)
        {
            reply = Failed(QmpErrorClass.GenericError, parsed.Error!, parsed.Id.Span, vm, "?");
        }
        else if (!_allowed.Contains(command.Execute))
        {
            reply = Failed(QmpErrorClass.CommandNotFound, $"The command {command.Execute} is not allowed over MQTT", command.Id.Span, vm, command.Execute);
        }
        else if (vm is null || !IsKnownVm(vm))
        {
            reply = Failed(QmpErrorClass.GenericError, $"No VM named '{vm}'", command.Id.Span, vm, command.Execute);
        }
        else
        {
            reply = await ExecuteAsync(vm, command, cancellationToken).ConfigureAwait(false);
        }
        _connection.Publish(replyTopic, reply, retain: false, correlationData: message.CorrelationData);
    }

    private async Task<byte[]> ExecuteAsync(string vm, MqttCommand command, CancellationToken cancellationToken)
    {
        LogExecuting(vm, command.Execute);
        if (command.Execute == MqttCommandNames.Acknowledge)
        {
            await _board.AcknowledgeAsync(vm, Indicators.AcknowledgeSource.Mqtt, cancellationToken).ConfigureAwait(false);
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
            return Failed(QmpErrorClass.GenericError, $"No reply from VM '{vm}' within {_options.CommandTimeout.TotalSeconds:0.#} s", command.Id.Span, vm, command.Execute);
        }
        catch (KeyNotFoundException)
        {
            return Failed(QmpErrorClass.GenericError, $"No VM named '{vm}'", command.Id.Span, vm, command.Execute);
        }
        catch (InvalidOperationException e)
        {
            return Failed(QmpErrorClass.GenericError, $"VM '{vm}' monitor is not connected: {e.Message}", command.Id.Span, vm, command.Execute);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever the gateway throws, the caller gets an answer and the mirror keeps running.
            LogGatewayFailed(vm, command.Execute, e);
            return Failed(QmpErrorClass.GenericError, $"Command failed: {e.Message}", command.Id.Span, vm, command.Execute);
        }
    }

    private bool IsKnownVm(string vm) => _gateway.VmNames.Contains(vm) || _board.Get(vm) is not null;

    private byte[] Failed(string errorClass, string description, ReadOnlySpan<byte> id, string? vm, string command)
    {
        _counters.AddCommandError();
        LogRefusedCommand(vm ?? "?", command, description);
        return CommandReplies.Error(errorClass, description, id);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT command {Command} for VM {Vm}")]
    private partial void LogExecuting(string vm, string command);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT command {Command} for VM {Vm} refused: {Why}")]
    private partial void LogRefusedCommand(string vm, string command, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT command {Command} for VM {Vm} failed in the gateway")]
    private partial void LogGatewayFailed(string vm, string command, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT command queue full; dropped a message on {Topic}")]
    private partial void LogDropped(string topic);
}
