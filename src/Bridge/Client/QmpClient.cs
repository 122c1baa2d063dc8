using Appliance.Qmp;
using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.Qmp.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Client;

/// <summary>One connection to one QMP monitor: opens the socket, reads the greeting, negotiates capabilities,
/// then matches replies to commands by <c>id</c> and queues events for the consumer.</summary>
/// <remarks>Events may arrive before the greeting, between and before replies; unknown members and events are
/// kept as they came. Malformed lines are counted and skipped. When the connection ends every pending command
/// fails with <see cref="QmpConnectionLostException"/> and <see cref="Events"/> completes.</remarks>
public sealed partial class QmpClient : IAsyncDisposable
{
    private readonly QmpEndpoint _endpoint;
    private readonly string _name;
    private readonly QmpClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<ReceivedQmpEvent> _events;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CommandTable _commands = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private NetworkStream? _stream;
    private QmpStreamReader? _reader;
    private Task _readLoop = Task.CompletedTask;
    private Exception? _closeReason;
    private int _closeStarted;

    /// <summary>Creates a client; nothing happens until <see cref="ConnectAsync"/>.</summary>
    /// <param name="endpoint">Where the monitor listens.</param>
    /// <param name="options">Timeouts and limits.</param>
    /// <param name="timeProvider">Clock for every timeout (virtual in tests).</param>
    /// <param name="logger">Receives malformed-line warnings, and every raw line at Trace level.</param>
    /// <param name="counters">Counters to add to, shared across reconnects; a fresh set when null.</param>
    /// <param name="name">Names the monitor in logs (the VM's name); the endpoint when null.</param>
    public QmpClient(QmpEndpoint endpoint, QmpClientOptions? options = null, TimeProvider? timeProvider = null,
        ILogger? logger = null, MonitorCounters? counters = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _name = name ?? endpoint.ToString();
        _options = options ?? new QmpClientOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        Counters = counters ?? new MonitorCounters();
        _events = Channel.CreateBounded<ReceivedQmpEvent>(new BoundedChannelOptions(_options.EventQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
    }

    /// <summary>The server's greeting, once read.</summary>
    public QmpGreeting? Greeting { get; private set; }

    /// <summary>The capabilities enabled by negotiation (a subset of those offered).</summary>
    public IReadOnlyList<string> EnabledCapabilities { get; private set; } = [];

    /// <summary>Events in arrival order; completes when the connection ends.</summary>
    public ChannelReader<ReceivedQmpEvent> Events => _events.Reader;

    /// <summary>Completes when the connection has ended, for whatever reason.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Why the connection ended, once it has.</summary>
    public Exception? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>True once the connection has ended.</summary>
    public bool IsClosed => Volatile.Read(ref _closeStarted) != 0;

    /// <summary>Counters of events, malformed lines and unmatched replies.</summary>
    public MonitorCounters Counters { get; private set; }

    /// <summary>Opens the socket, then reads the greeting and negotiates (see <see cref="NegotiateAsync"/>).</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        await NegotiateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the socket within <see cref="QmpClientOptions.ConnectTimeout"/>.</summary>
    /// <exception cref="QmpTimeoutException">The socket did not open in time.</exception>
    /// <exception cref="SocketException">The monitor refused or does not exist.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        if (_socket is not null) throw new InvalidOperationException("the QMP client is already open");
        using var phase = new PhaseDeadline(_options.ConnectTimeout, _time, cancellationToken);
        try
        {
            _socket = TakeAcceptedSocket() ?? await _endpoint.ConnectAsync(phase.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (phase.Expired)
        {
            throw new QmpTimeoutException(QmpPhase.Connect, $"QMP monitor {_endpoint} did not accept a connection within {_options.ConnectTimeout}");
        }
        _stream = new NetworkStream(_socket, ownsSocket: true);
        // QEMU's own stream parsing: a message ends at its closing brace, whatever the line breaks (pretty=on
        // monitors spread one over many lines), and no message may hold more than MaxLineBytes.
        _reader = new QmpStreamReader(_stream, QmpStreamLimits.WithMaxMessageBytes(_options.MaxLineBytes));
    }

    /// <summary>Reads the greeting within <see cref="QmpClientOptions.GreetingTimeout"/>, then enables the offered
    /// capabilities that are configured (only <c>oob</c>, and only with <see cref="QmpClientOptions.EnableOob"/>)
    /// within <see cref="QmpClientOptions.NegotiationTimeout"/>. Events seen meanwhile are queued.</summary>
    /// <exception cref="QmpTimeoutException">The greeting or the negotiation answer did not come in time.</exception>
    /// <exception cref="QmpConnectionLostException">The monitor closed the connection first.</exception>
    /// <exception cref="QmpProtocolException">The monitor refused <c>qmp_capabilities</c>.</exception>
    public async Task NegotiateAsync(CancellationToken cancellationToken)
    {
        if (_reader is null) throw new InvalidOperationException("open the QMP client before negotiating");
        try
        {
            Greeting = await ReadGreetingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Close(e);
            throw;
        }
        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);

        string[] enable = _options.EnableOob && Greeting.Capabilities.Contains("oob") ? ["oob"] : [];
        byte[] arguments = enable.Length == 0 ? [] : """{"enable": ["oob"]}"""u8.ToArray();
        QmpResponse reply;
        try
        {
            reply = await ExecuteCoreAsync("qmp_capabilities", arguments, _options.NegotiationTimeout, QmpPhase.Negotiation, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Close(e);
            throw;
        }
        if (reply is QmpErrorResponse error)
        {
            var refused = new QmpProtocolException($"QMP monitor {_endpoint} refused qmp_capabilities: {error.ErrorClass}: {error.Description}");
            Close(refused);
            throw refused;
        }
        EnabledCapabilities = enable;
    }

    /// <summary>Executes a command and returns the reply (a <see cref="QmpReturn"/> or a <see cref="QmpErrorResponse"/>).</summary>
    /// <param name="command">The command name, for example <c>query-status</c>.</param>
    /// <param name="arguments">Raw JSON object of arguments, or empty.</param>
    /// <param name="timeout">Time allowed, slot wait included; <see cref="QmpClientOptions.CommandTimeout"/> when null,
    /// <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="cancellationToken">Stops waiting (the command may still run on the server).</param>
    /// <exception cref="QmpTimeoutException">No reply within the timeout.</exception>
    /// <exception cref="QmpConnectionLostException">The connection ended before the reply.</exception>
    public Task<QmpResponse> ExecuteAsync(string command, ReadOnlyMemory<byte> arguments = default, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        if (Greeting is null || _reader is null) throw new InvalidOperationException("the QMP client is not negotiated");
        if (!arguments.IsEmpty && DescribeBadArguments(arguments.Span) is { } problem)
        {
            return Task.FromException<QmpResponse>(new ArgumentException($"arguments of '{command}' must be one JSON object: {problem}", nameof(arguments)));
        }
        return ExecuteCoreAsync(command, arguments, timeout ?? _options.CommandTimeout, QmpPhase.Command, cancellationToken);
    }

    /// <summary>Closes the connection; pending commands fail with <see cref="QmpConnectionLostException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Close(new QmpConnectionLostException($"connection to QMP monitor {_endpoint} was closed by the appliance"));
        await _readLoop.ConfigureAwait(false);
    }

    private async Task<QmpGreeting> ReadGreetingAsync(CancellationToken cancellationToken)
    {
        using var phase = new PhaseDeadline(_options.GreetingTimeout, _time, cancellationToken);
        try
        {
            while (true)
            {
                var message = await ReadMessageAsync(phase.Token).ConfigureAwait(false)
                    ?? throw new QmpConnectionLostException($"QMP monitor {_endpoint} closed the connection before its greeting");
                switch (message)
                {
                    case QmpGreeting greeting: return greeting;
                    case QmpEvent e: QueueEarlyEvent(e); break;
                    default: Counters.CountUnmatchedReply(); break;
                }
            }
        }
        catch (OperationCanceledException) when (phase.Expired)
        {
            throw new QmpTimeoutException(QmpPhase.Greeting, $"QMP monitor {_endpoint} sent no greeting within {_options.GreetingTimeout}");
        }
    }

    private void QueueEarlyEvent(QmpEvent e)
    {
        Counters.CountEvent();
        // Seen in the wild: an event before the greeting. Keep it; the queue cannot be full this early.
        _events.Writer.TryWrite(new ReceivedQmpEvent(e, _time.GetUtcNow()));
    }

    /// <summary>Reads values until one parses as a QMP message; null at the end of the stream.</summary>
    private async Task<QmpMessage?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Fast path: QEMU writes one message per line, and a line the strict parser takes whole is that message.
            if (_reader!.PeekLine() is { } line && TryParseLine(line) is { } quick)
            {
                _reader.AcceptLine();
                return quick;
            }
            var frame = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            switch (frame.Kind)
            {
                case QmpFrameKind.EndOfStream:
                    return null;
                case QmpFrameKind.Error when frame.LimitExceeded:
                    Counters.CountOverlongLine();
                    throw new QmpProtocolException(
                        $"QMP monitor {_endpoint} sent a message over the limit of {_options.MaxLineBytes} bytes ({frame.Error})");
                case QmpFrameKind.Error:
                    Counters.CountMalformedLine();
                    _logger.LogWarning("QMP {Vm}: skipped malformed input ({Problem})", _name, frame.Error);
                    continue;
            }
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.LogTrace("QMP {Vm} <- {Line}", _name, QmpMessageParser.ToText(frame.Bytes));
            }
            try
            {
                return QmpMessageParser.Parse(frame.Bytes);
            }
            catch (QmpProtocolException e)
            {
                Counters.CountMalformedLine();
                _logger.LogWarning("QMP {Vm}: skipped a malformed message ({Problem}): {Line}", _name, e.Message,
                    Excerpt(frame.Bytes));
            }
        }
    }

    private QmpMessage? TryParseLine(byte[] line)
    {
        try
        {
            var message = QmpMessageParser.Parse(line);
            if (_logger.IsEnabled(LogLevel.Trace)) _logger.LogTrace("QMP {Vm} <- {Line}", _name, QmpMessageParser.ToText(line));
            return message;
        }
        catch (QmpProtocolException)
        {
            return null; // not one well-formed message: the exact path reads it and reports what is wrong
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception reason;
        try
        {
            while (true)
            {
                var message = await ReadMessageAsync(_closing.Token).ConfigureAwait(false);
                if (message is null)
                {
                    reason = new QmpConnectionLostException($"QMP monitor {_endpoint} closed the connection");
                    break;
                }
                switch (message)
                {
                    case QmpEvent e:
                        Counters.CountEvent();
                        await _events.Writer.WriteAsync(new ReceivedQmpEvent(e, _time.GetUtcNow()), _closing.Token).ConfigureAwait(false);
                        break;
                    case QmpResponse r:
                        Dispatch(r);
                        break;
                    default:
                        Counters.CountUnmatchedReply();
                        break;
                }
            }
        }
        catch (Exception e)
        {
            reason = e;
        }
        Close(reason);
    }

    private void Dispatch(QmpResponse response)
    {
        if (_commands.TryComplete(response)) return;
        Counters.CountUnmatchedReply();
        _logger.LogWarning("QMP {Vm}: reply matches no command: {Line}", _name, Excerpt(response.Raw.Span));
    }

    private async Task<QmpResponse> ExecuteCoreAsync(string command, ReadOnlyMemory<byte> arguments, TimeSpan timeout, QmpPhase phase,
        CancellationToken cancellationToken)
    {
        using var deadline = new PhaseDeadline(timeout, _time, cancellationToken, _closing.Token);
        try
        {
            ThrowIfClosed();
            await _commands.WaitForSlotAsync(deadline.Token).ConfigureAwait(false);
            var (id, pending) = _commands.Add();
            if (IsClosed) _commands.FailAll(LostException); // closed meanwhile: Close may have missed this one
            try
            {
                await WriteCommandAsync(command, arguments, id, deadline.Token).ConfigureAwait(false);
            }
            catch
            {
                _commands.Withdraw(id); // not on the wire (bad arguments, gave up waiting): the slot must not stay taken
                throw;
            }
            return await pending.Reply.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (IsClosed)
        {
            throw LostException();
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            throw new QmpTimeoutException(phase, $"QMP monitor {_endpoint} did not answer '{command}' within {timeout}");
        }
    }

    private async Task WriteCommandAsync(string command, ReadOnlyMemory<byte> arguments, long id, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + arguments.Length);
        Span<byte> idText = stackalloc byte[20];
        id.TryFormat(idText, out int idLength, default, CultureInfo.InvariantCulture);
        QmpMessageWriter.WriteCommand(buffer, command, arguments.Span, idText[..idLength]);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream!.WriteAsync(buffer.WrittenMemory, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(e);
            throw LostException();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void ThrowIfClosed()
    {
        if (IsClosed) throw LostException();
    }

    private QmpConnectionLostException LostException() =>
        CloseReason as QmpConnectionLostException
        ?? new QmpConnectionLostException($"connection to QMP monitor {_endpoint} was lost: {CloseReason?.Message}", CloseReason);

    private void Close(Exception reason)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0) return;
        Volatile.Write(ref _closeReason, reason);
        _closing.Cancel();
        _stream?.Dispose();
        _socket?.Dispose();
        _commands.FailAll(LostException);
        _events.Writer.TryComplete();
        _closed.TrySetResult();
    }

    private static string? DescribeBadArguments(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, QmpJsonLimits.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "not an object";
            reader.Skip();
            return reader.Read() ? "trailing data after the object" : null;
        }
        catch (JsonException e)
        {
            return e.Message;
        }
    }

    private static string Excerpt(ReadOnlySpan<byte> line) =>
        QmpMessageParser.ToText(line.Length > 200 ? line[..200] : line) + (line.Length > 200 ? "..." : "");
}
