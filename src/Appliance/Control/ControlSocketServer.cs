using System.Net.Sockets;
using System.Text.Json;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Pipeline;
using Appliance.Bridge.Sockets;
using Appliance.Host.Configuration;
using Appliance.Host.Status;
using Appliance.Qmp.Framing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Host.Control;

/// <summary>Serves <c>appliance status</c>, <c>appliance top</c> and CLI acknowledgements over a unix socket (mode 0600).</summary>
internal sealed partial class ControlSocketServer(
    ApplianceOptions appliance,
    StatusDocument status,
    VmStatusBoard board,
    IAlarmAcknowledger acknowledger,
    ILogger<ControlSocketServer> logger) : BackgroundService
{
    // Its clients are the CLI verbs and `top`, a few at a time; a runaway script cannot take every descriptor.
    private const int MaxConnections = 16;

    private readonly string _socketPath = appliance.ControlSocketPath;
    private Socket? _listener;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_socketPath))!);
        // A socket left by a killed appliance is replaced; one a running appliance (same RuntimeDirectory) serves is not.
        UnixSocketFile.RemoveStale(_socketPath, "Control socket");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_socketPath));
        File.SetUnixFileMode(_socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(16);
        _listener = listener;
        LogListening(_socketPath);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var registration = stoppingToken.Register(() => _listener?.Dispose());
        await AcceptLoop.RunAsync(_listener!, MaxConnections, client => ServeAsync(client, stoppingToken),
            e => LogAcceptFailed(e.Message), () => LogRefused(MaxConnections), TimeProvider.System, stoppingToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _listener?.Dispose();
        try
        {
            File.Delete(_socketPath);
        }
        catch (IOException)
        {
            // Left behind; the next start removes it.
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            var stream = new NetworkStream(client, ownsSocket: false);
            await using var streamScope = stream.ConfigureAwait(false);
            var line = await new QmpLineReader(stream, ControlProtocol.MaxRequestBytes).ReadLineAsync(timeout.Token).ConfigureAwait(false);
            byte[] reply = line.Kind == QmpLineKind.Line
                ? await HandleAsync(line.Bytes, timeout.Token).ConfigureAwait(false)
                : ControlProtocol.Error("request missing or too long");
            await stream.WriteAsync(reply, timeout.Token).ConfigureAwait(false);
            await stream.WriteAsync("\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            LogClientFailed(e.Message);
        }
    }

    private async Task<byte[]> HandleAsync(byte[] request, CancellationToken cancellationToken)
    {
        string? command = null, vm = null;
        try
        {
            using var doc = JsonDocument.Parse(request);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("command", out var c) && c.ValueKind == JsonValueKind.String) command = c.GetString();
                if (doc.RootElement.TryGetProperty("vm", out var v) && v.ValueKind == JsonValueKind.String) vm = v.GetString();
            }
        }
        catch (JsonException)
        {
            return ControlProtocol.Error("request is not valid JSON");
        }
        switch (command)
        {
            case "status":
                return status.Build();
            case "ack":
                if (vm is not null && board.Get(vm) is null) return ControlProtocol.Error($"no VM named '{vm}'");
                // Answered once the alarms are cleared and the acknowledgement is queued for the journal, with what was cleared.
                return ControlProtocol.Acknowledged(await acknowledger.AcknowledgeAsync(vm, AcknowledgeSource.Cli, cancellationToken).ConfigureAwait(false));
            default:
                return ControlProtocol.Error($"unknown command '{command}' (expected status or ack)");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "control socket listening on {Path}")]
    private partial void LogListening(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control socket: accepting a connection failed: {Reason}")]
    private partial void LogAcceptFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control socket: {Max} clients already connected; closing a new one")]
    private partial void LogRefused(int max);

    [LoggerMessage(Level = LogLevel.Debug, Message = "control client failed: {Reason}")]
    private partial void LogClientFailed(string reason);
}
