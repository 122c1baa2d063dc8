using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Appliance.Bridge.Tests.Client;

/// <summary>A QMP server a test scripts line by line, on a real unix or TCP socket.</summary>
internal sealed class ScriptedQmpServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly List<ScriptedQmpConnection> _connections = [];

    private ScriptedQmpServer(Socket listener, string endpoint)
    {
        _listener = listener;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint string for the client: <c>unix:PATH</c> or <c>tcp:127.0.0.1:PORT</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Replies given automatically, by command name, on every accepted connection (null: none).</summary>
    public Func<string, string?>? AutoReply { get; set; }

    public static ScriptedQmpServer ListenUnix(string path)
    {
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(16);
        return new ScriptedQmpServer(listener, "unix:" + path);
    }

    public static ScriptedQmpServer ListenTcp()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        return new ScriptedQmpServer(listener, $"tcp:127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}");
    }

    /// <summary>Waits (up to 30 s) for the next client.</summary>
    public async Task<ScriptedQmpConnection> AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(TestWait.Timeout);
        var socket = await _listener.AcceptAsync(timeout.Token);
        var connection = new ScriptedQmpConnection(socket, AutoReply);
        lock (_connections) _connections.Add(connection);
        return connection;
    }

    /// <summary>Accepts a client and plays a normal QEMU: greeting, then automatic replies.</summary>
    public async Task<ScriptedQmpConnection> AcceptNegotiatedAsync(string capabilities = "")
    {
        var connection = await AcceptAsync();
        await connection.SendGreetingAsync(capabilities);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        ScriptedQmpConnection[] all;
        lock (_connections) all = [.. _connections];
        foreach (var c in all) await c.DisposeAsync();
    }
}

/// <summary>One client of a <see cref="ScriptedQmpServer"/>: the test sends lines and reads the client's commands.</summary>
internal sealed class ScriptedQmpConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Channel<ClientCommand> _commands = Channel.CreateUnbounded<ClientCommand>();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _pump;

    public ScriptedQmpConnection(Socket socket, Func<string, string?>? autoReply)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        AutoReply = autoReply;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Completes when the client closed its side.</summary>
    public Task ClientClosed => _pump;

    /// <summary>Replies given automatically by command name; null (or a null reply) leaves the command to the test.</summary>
    public Func<string, string?>? AutoReply { get; set; }

    /// <summary>Names of every command received, answered automatically or not.</summary>
    public List<string> Received { get; } = [];

    public Task SendGreetingAsync(string capabilities = "") =>
        SendAsync($$$"""{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "scripted"}, "capabilities": [{{{capabilities}}}]}}""");

    public async Task SendAsync(string line) => await SendBytesAsync(System.Text.Encoding.UTF8.GetBytes(line + "\r\n"));

    public async Task SendBytesAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task ReplyAsync(ClientCommand command, string returnJson = "{}") =>
        SendAsync($$"""{"return": {{returnJson}}, "id": {{command.Id}}}""");

    public Task SendEventAsync(string name, string? dataJson = null) =>
        SendAsync(dataJson is null
            ? $$"""{"timestamp": {"seconds": 1700000000, "microseconds": 1}, "event": "{{name}}"}"""
            : $$"""{"timestamp": {"seconds": 1700000000, "microseconds": 1}, "event": "{{name}}", "data": {{dataJson}}}""");

    /// <summary>The next command not answered automatically (waits up to 30 s).</summary>
    public async Task<ClientCommand> ReadCommandAsync()
    {
        using var timeout = new CancellationTokenSource(TestWait.Timeout);
        return await _commands.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The next command if one arrives within <paramref name="grace"/>; null otherwise.</summary>
    public async Task<ClientCommand?> TryReadCommandAsync(TimeSpan grace)
    {
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            return await _commands.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads the client's <c>qmp_capabilities</c> and answers it.</summary>
    public async Task<ClientCommand> NegotiateAsync()
    {
        var command = await ReadCommandAsync();
        Assert.Equal("qmp_capabilities", command.Name);
        await ReplyAsync(command);
        return command;
    }

    public void Close() => _socket.Close();

    public async ValueTask DisposeAsync()
    {
        Close();
        try
        {
            await _pump;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // Closed under the pump.
        }
    }

    private async Task PumpAsync()
    {
        using var reader = new StreamReader(_stream, leaveOpen: true);
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                var command = ClientCommand.Parse(line);
                lock (Received) Received.Add(command.Name);
                if (AutoReply?.Invoke(command.Name) is { } reply) await ReplyAsync(command, reply);
                else await _commands.Writer.WriteAsync(command);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The test closed the connection.
        }
        finally
        {
            _commands.Writer.TryComplete();
        }
    }
}

/// <summary>A command line a client sent: its name, raw id, raw arguments and the whole line.</summary>
internal sealed record ClientCommand(string Name, string Id, string? Arguments, string Line)
{
    public static ClientCommand Parse(string line)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        var root = doc.RootElement;
        return new ClientCommand(
            root.GetProperty("execute").GetString()!,
            root.TryGetProperty("id", out var id) ? id.GetRawText() : "null",
            root.TryGetProperty("arguments", out var args) ? args.GetRawText() : null,
            line);
    }
}

/// <summary>Replies of a healthy QEMU to the commands the supervisor sends by itself.</summary>
internal static class StandardReplies
{
    public const string AllQueries = """[{"name": "qmp_capabilities"}, {"name": "query-status"}, {"name": "query-block-jobs"}, {"name": "query-migrate"}, {"name": "stop"}]""";

    public static Func<string, string?> Healthy(string status = "running", string commands = AllQueries) => name => name switch
    {
        "qmp_capabilities" => "{}",
        "query-commands" => commands,
        "query-status" => $$"""{"status": "{{status}}", "singlestep": false, "running": {{(status == "running" ? "true" : "false")}}}""",
        "query-block-jobs" => "[]",
        "query-migrate" => "{}",
        _ => null,
    };
}
