using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Bridge.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Metrics;

/// <summary>Serves <c>GET /metrics</c> in the Prometheus text format over a plain socket: one request per connection,
/// a request head of at most <see cref="MaxHeadBytes"/>, a deadline for each connection, a cap on connections served
/// at once. Anything else gets 400, 404, 405, 431 or 505 and the connection closed; nothing a client sends can stop it.</summary>
internal sealed partial class MetricsServer(
    MetricsOptions options,
    Func<byte[]> render,
    ILogger<MetricsServer> logger) : BackgroundService
{
    /// <summary>Serves the appliance's metrics on the configured address.</summary>
    public MetricsServer(IOptions<MetricsOptions> options, ApplianceMetrics metrics, ILogger<MetricsServer> logger)
        : this(options.Value, metrics.Render, logger)
    {
    }

    /// <summary>Largest request head read (request line and headers).</summary>
    public const int MaxHeadBytes = 8192;

    private Socket? _listener;

    /// <summary>Where it listens once started (the real port when configured with port 0).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var endPoint = options.EndPoint();
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(64);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new InvalidOperationException($"Metrics:Listen {endPoint}: {e.Message}", e);
        }
        _listener = listener;
        LogListening(LocalEndPoint!.ToString());
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var registration = stoppingToken.Register(() => _listener?.Dispose());
        await AcceptLoop.RunAsync(_listener!, options.MaxConnections, client => ServeAsync(client, stoppingToken),
            e => LogAcceptFailed(e.Message), () => { }, TimeProvider.System, stoppingToken).ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        try
        {
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                deadline.CancelAfter(options.RequestTimeout);
                var verdict = await ReadVerdictAsync(client, deadline.Token).ConfigureAwait(false);
                if (verdict is { } v) await AnswerAsync(client, v, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Too slow, gone, or stopping: the connection is closed and that is all.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogServeFailed(e.Message);
        }
    }

    /// <summary>Reads up to the end of the request head; null when the client closed before sending one.</summary>
    private static async Task<HttpVerdict?> ReadVerdictAsync(Socket client, CancellationToken ct)
    {
        byte[] buffer = new byte[MaxHeadBytes];
        int filled = 0;
        while (true)
        {
            if (filled == buffer.Length) return HttpVerdict.HeadersTooLarge;
            int n = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0) return filled == 0 ? null : HttpVerdict.BadRequest;
            int start = Math.Max(0, filled - 2);
            filled += n;
            int end = HttpRequestHead.FindEnd(buffer.AsSpan(start, filled - start));
            if (end >= 0) return HttpRequestHead.Judge(buffer.AsSpan(0, start + end));
        }
    }

    private async Task AnswerAsync(Socket client, HttpVerdict verdict, CancellationToken ct)
    {
        byte[] body = verdict.Metrics ? render() : Encoding.ASCII.GetBytes(verdict.Reason + "\n");
        var head = new StringBuilder(256)
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {verdict.Status} {verdict.Reason}\r\n")
            .Append("Content-Type: ").Append(verdict.Metrics ? ExpositionWriter.ContentType : "text/plain; charset=utf-8").Append("\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        if (verdict.Status == 405) head.Append("Allow: GET, HEAD\r\n");
        head.Append("Connection: close\r\n\r\n");
        await client.SendAsync(Encoding.ASCII.GetBytes(head.ToString()), SocketFlags.None, ct).ConfigureAwait(false);
        if (!verdict.HeadOnly) await client.SendAsync(body, SocketFlags.None, ct).ConfigureAwait(false);
        client.Shutdown(SocketShutdown.Send);
        await DrainAsync(client, ct).ConfigureAwait(false);
    }

    /// <summary>Reads what the client still sends (an unread request would make the close a reset, which can destroy
    /// the answer before the client reads it), up to a bound and the connection's deadline.</summary>
    private static async Task DrainAsync(Socket client, CancellationToken ct)
    {
        byte[] sink = new byte[4096];
        for (int total = 0; total < 16 * MaxHeadBytes;)
        {
            int n = await client.ReceiveAsync(sink, SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0) return;
            total += n;
        }
    }

    public override void Dispose()
    {
        _listener?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus metrics on http://{EndPoint}/metrics")]
    private partial void LogListening(string endPoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics: accepting a connection failed: {Reason}")]
    private partial void LogAcceptFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics: serving a request failed: {Reason}")]
    private partial void LogServeFailed(string reason);
}
