using System.Buffers;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Appliance.Emu.Commands;
using Appliance.Emu.Machine;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.Qmp.Streaming;
using Microsoft.Extensions.Logging;

namespace Appliance.Emu.Server;

/// <summary>One QMP monitor connection: greeting, capabilities negotiation, commands, and every event once negotiated.
/// Output goes through a queue bounded in bytes; a client that falls too far behind is disconnected.</summary>
internal sealed class QmpSession : IEventSubscriber
{
    private static readonly string[] OfferedCapabilities = ["oob"];
    private static readonly CommandSpec CapabilitiesSpec = new(CommandTable.Capabilities, [ParamSpec.Opt("enable", ParamType.Array)], _ => default);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly VirtualMachine _vm;
    private readonly ILogger _logger;
    private readonly long _maxPending;
    private readonly Channel<OutboundItem> _output = Channel.CreateUnbounded<OutboundItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _pending;
    private bool _negotiated;
    private bool _oobEnabled;

    public QmpSession(Socket socket, VirtualMachine vm, ILogger logger)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _vm = vm;
        _logger = logger;
        _maxPending = vm.Options.MaxPendingOutputBytes;
    }

    /// <summary>Completes when the connection is closed and everything queued before has been written (or dropped
    /// with the connection).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Runs the connection until the peer leaves, the VM quits or the server stops.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ServeAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        var writer = WriteLoopAsync(linked.Token);
        try
        {
            SendGreeting();
            await ReadLoopAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _logger.LogDebug("QMP monitor closed: {Reason}", e.Message);
        }
        finally
        {
            _vm.Events.Unsubscribe(this);
            _output.Writer.TryComplete();
        }
        await writer.ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _abort.Dispose();
    }

    /// <summary>Sends what is queued, then closes (the VM is gone).</summary>
    public void CloseAfterFlush() => _output.Writer.TryComplete();

    /// <summary>Drops the connection at once.</summary>
    public void Abort()
    {
        _output.Writer.TryComplete();
        try
        {
            _abort.Cancel();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // Already gone.
        }
    }

    public void Deliver(byte[] line) => Enqueue(new OutboundItem(line));

    private void Enqueue(OutboundItem item)
    {
        if (Interlocked.Add(ref _pending, item.Size) > _maxPending)
        {
            _logger.LogWarning("QMP monitor fell {Bytes} bytes behind; disconnecting it", Volatile.Read(ref _pending));
            Abort();
            return;
        }
        _output.Writer.TryWrite(item);
    }

    private void SendGreeting()
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        QmpMessageWriter.WriteGreeting(buffer, _vm.Options.Persona.Version, OfferedCapabilities);
        Enqueue(Reply(buffer));
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        // Input is a JSON stream, as QEMU reads it: a command is complete at its closing brace, whatever the line breaks.
        var reader = new QmpStreamReader(_stream, QmpStreamLimits.WithMaxMessageBytes(_vm.Options.MaxMessageBytes));
        while (true)
        {
            var frame = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            switch (frame.Kind)
            {
                case QmpFrameKind.EndOfStream:
                    return;
                case QmpFrameKind.Error:
                    ReplyError(QmpErrorClass.GenericError, frame.Error!, default);
                    continue;
            }
            Handle(frame.Bytes);
            if (_vm.HasExited) return;
        }
    }

    private void Handle(byte[] value)
    {
        var json = QemuJsonParser.Parse(value);
        if (json.Error is { } syntax)
        {
            ReplyError(QmpErrorClass.GenericError, syntax, default);
            return;
        }
        var parsed = QmpRequestParser.Parse(json.Json);
        if (parsed.Request is not { } request)
        {
            ReplyError(QmpErrorClass.GenericError, parsed.ErrorDescription ?? "Invalid QMP input", parsed.Id);
            return;
        }
        if (request.OutOfBand)
        {
            // Like qmp_dispatch_check_obj: exec-oob is only a member once oob is enabled, and no command here runs out of band.
            ReplyError(QmpErrorClass.GenericError, _oobEnabled
                ? $"The command {request.Command} does not support OOB"
                : "QMP input member 'exec-oob' is unexpected", request.Id);
            return;
        }
        if (!_negotiated)
        {
            Negotiate(request);
            return;
        }
        if (request.Command == CommandTable.Capabilities)
        {
            ReplyError(QmpErrorClass.CommandNotFound, "Capabilities negotiation is already complete, command ignored", request.Id);
            return;
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        CommandResult result;
        try
        {
            // The reply is queued under the machine lock: a command that ends the VM still gets its reply out
            // before the monitors close (closing waits for the lock).
            lock (_vm.Gate)
            {
                result = CommandDispatcher.Execute(_vm, request, buffer);
                Enqueue(Reply(buffer));
            }
        }
        catch (JsonException e)
        {
            ReplyError(QmpErrorClass.GenericError, $"JSON parse error, {e.Message}", request.Id);
            return;
        }
        if (result.LoadCount > 0) _output.Writer.TryWrite(new OutboundItem(null, result.LoadCount));
    }

    private void Negotiate(QmpRequest request)
    {
        if (request.Command != CommandTable.Capabilities)
        {
            ReplyError(QmpErrorClass.CommandNotFound, "Expecting capabilities negotiation with 'qmp_capabilities'", request.Id);
            return;
        }
        if (CapabilitiesError(request, out _oobEnabled) is { } error)
        {
            ReplyError(QmpErrorClass.GenericError, error, request.Id);
            return;
        }
        var buffer = new ArrayBufferWriter<byte>(32);
        QmpMessageWriter.WriteReturn(buffer, null, request.Id.Span);
        // The reply and the subscription happen under the machine lock, so no event can slip in between or before.
        lock (_vm.Gate)
        {
            Enqueue(Reply(buffer));
            _negotiated = true;
            _vm.Events.Subscribe(this);
        }
    }

    private static string? CapabilitiesError(QmpRequest request, out bool oob)
    {
        oob = false;
        if (request.Arguments.IsEmpty) return null;
        using var doc = JsonDocument.Parse(request.Arguments, QmpJsonLimits.DocumentOptions);
        if (CommandArgs.Validate(doc.RootElement, CapabilitiesSpec) is { } invalid) return invalid;
        if (!doc.RootElement.TryGetProperty("enable", out var enable)) return null;
        int index = 0;
        foreach (var cap in enable.EnumerateArray())
        {
            if (cap.ValueKind != JsonValueKind.String) return $"Invalid parameter type for 'enable[{index}]', expected: string";
            // QEMU 7.2 names the member 'null' here; the text is kept as QEMU writes it.
            if (!OfferedCapabilities.Contains(cap.GetString())) return $"Parameter 'null' does not accept value '{cap.GetString()}'";
            index++;
        }
        oob = index > 0;
        return null;
    }

    private void ReplyError(string errorClass, string text, ReadOnlyMemory<byte> id)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        QmpMessageWriter.WriteError(buffer, errorClass, text, id.Span);
        Enqueue(Reply(buffer));
    }

    /// <summary>A reply as QEMU lays it out, byte for byte.</summary>
    private static OutboundItem Reply(ArrayBufferWriter<byte> compact) => new(QemuJsonWriter.Relayout(compact.WrittenSpan));

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var batch = new ArrayBufferWriter<byte>(4096);
        var reader = _output.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (batch.WrittenCount < 64 * 1024 && reader.TryRead(out var item))
                {
                    if (item.Line is { } bytes)
                    {
                        batch.Write(bytes);
                        Interlocked.Add(ref _pending, -bytes.Length);
                        continue;
                    }
                    await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
                    await LoadGenerator.WriteAsync(_stream, _vm.Clock.Time, item.LoadCount, cancellationToken).ConfigureAwait(false);
                }
                await FlushAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            // Queue closed: the peer left, or the VM is gone and everything it said has been sent.
            _socket.Shutdown(SocketShutdown.Send);
            Abort();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Abort();
        }
    }

    private async Task FlushAsync(ArrayBufferWriter<byte> batch, CancellationToken cancellationToken)
    {
        if (batch.WrittenCount == 0) return;
        await _stream.WriteAsync(batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
        batch.ResetWrittenCount();
    }
}
