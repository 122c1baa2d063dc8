using System.Net.Sockets;
using System.Text;
using Appliance.Host.Metrics;
using Appliance.TestSupport.Network;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tests.Metrics;

/// <summary>The metrics endpoint over a real loopback socket: it answers /metrics and refuses everything else with
/// the right status, and no client (garbage, huge headers, a stalled request, a crowd) stops it serving the next.</summary>
public sealed class MetricsServerTests : IAsyncLifetime
{
    private static readonly byte[] Body = "# HELP x_total X.\n# TYPE x_total counter\nx_total 1\n"u8.ToArray();
    private MetricsServer _server = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _port = FreePort.Next();
        var options = new MetricsOptions { Listen = $"127.0.0.1:{_port}", MaxConnections = 4, RequestTimeout = TimeSpan.FromSeconds(2) };
        _server = new MetricsServer(options, () => Body, NullLogger<MetricsServer>.Instance);
        await _server.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync(CancellationToken.None);
        _server.Dispose();
    }

    [Fact]
    public async Task Get_metrics_answers_200_with_the_exposition_content_type_and_body()
    {
        string response = await SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n", response, StringComparison.Ordinal);
        Assert.Contains($"Content-Length: {Body.Length}\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n" + Encoding.UTF8.GetString(Body), response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_metrics_answers_200_without_a_body()
    {
        string response = await SendAsync("HEAD /metrics?x=1 HTTP/1.0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "404 Not Found")]
    [InlineData("GET /metricsX HTTP/1.1\r\nHost: x\r\n\r\n", "404 Not Found")]
    [InlineData("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "405 Method Not Allowed")]
    [InlineData("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "405 Method Not Allowed")]
    [InlineData("GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n", "505 HTTP Version Not Supported")]
    [InlineData("GET /metrics HTTP/1.1\r\n\r\n", "400 Bad Request")]
    [InlineData("GET /metrics\r\n\r\n", "400 Bad Request")]
    [InlineData("get /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "400 Bad Request")]
    [InlineData("GET metrics HTTP/1.1\r\nHost: x\r\n\r\n", "400 Bad Request")]
    [InlineData("GET /metrics HTTP/1.1\r\nHost x\r\n\r\n", "400 Bad Request")]
    [InlineData("GET /metrics HTTP/1.1\r\nBad Name: x\r\nHost: x\r\n\r\n", "400 Bad Request")]
    [InlineData("\u0001\u0002garbage\u00ff\n\n", "400 Bad Request")]
    [InlineData("\r\n\r\n", "400 Bad Request")]
    public async Task Malformed_or_unknown_requests_get_their_status(string request, string status)
    {
        string response = await SendAsync(request);
        Assert.StartsWith($"HTTP/1.1 {status}\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Method_not_allowed_names_the_allowed_methods()
    {
        string response = await SendAsync("PUT /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Contains("Allow: GET, HEAD\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_in_the_head_gets_400()
    {
        string response = await SendAsync([.. "GET /metrics HTTP/1.1\r\nHost: "u8, 0xff, 0xfe, .. "\r\n\r\n"u8]);
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_beyond_the_limit_get_431_and_the_server_keeps_serving()
    {
        string huge = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', MetricsServer.MaxHeadBytes * 4) + "\r\n\r\n";
        string response = await SendAsync(huge);
        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", response, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK", await SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_never_completes_is_closed_after_the_timeout()
    {
        using var slow = await ConnectAsync();
        await slow.SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\n"u8.ToArray(), SocketFlags.None);
        var started = DateTime.UtcNow;
        int n = await slow.ReceiveAsync(new byte[64], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, n); // closed without an answer
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "closed by the 2 s request timeout");
    }

    [Fact]
    public async Task Stalled_clients_beyond_the_cap_neither_block_nor_crash_it()
    {
        // Twice the cap of silent connections: those over the cap are closed at once, the others by the timeout.
        var crowd = new List<Socket>();
        for (int i = 0; i < 8; i++) crowd.Add(await ConnectAsync());
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            string response = "";
            while (DateTime.UtcNow < deadline && !response.StartsWith("HTTP/1.1 200 OK", StringComparison.Ordinal))
            {
                try
                {
                    response = await SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
                }
                catch (SocketException)
                {
                    response = "";
                }
                if (response.Length == 0) await Task.Delay(100);
            }
            Assert.StartsWith("HTTP/1.1 200 OK", response, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var s in crowd) s.Dispose();
        }
    }

    [Fact]
    public async Task A_client_that_closes_mid_request_does_not_stop_the_server()
    {
        using (var gone = await ConnectAsync())
        {
            await gone.SendAsync("GET /met"u8.ToArray(), SocketFlags.None);
        }
        Assert.StartsWith("HTTP/1.1 200 OK", await SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), StringComparison.Ordinal);
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", _port);
        return socket;
    }

    private Task<string> SendAsync(string request) => SendAsync(Encoding.Latin1.GetBytes(request));

    /// <summary>Sends the bytes and reads until the server closes; empty when closed without an answer.</summary>
    private async Task<string> SendAsync(byte[] request)
    {
        using var socket = await ConnectAsync();
        try
        {
            await socket.SendAsync(request, SocketFlags.None);
        }
        catch (SocketException)
        {
            // The server may answer (431) and close before a huge request is fully sent.
        }
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) received.Write(buffer, 0, n);
        }
        catch (SocketException) when (received.Length > 0)
        {
            // A reset after the answer (unread request bytes) ends the read.
        }
        return Encoding.Latin1.GetString(received.ToArray());
    }
}
