using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Appliance.Integration.Support;

/// <summary>A plain QMP client on a unix socket, for talking to a real QEMU or an emulated VM from a test:
/// negotiates, then runs one command at a time, skipping the events that arrive in between.</summary>
internal sealed class QmpSession : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    private QmpSession(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>The greeting's <c>QMP.version.qemu</c> as "major.minor.micro".</summary>
    public string Version { get; private set; } = "";

    public static async Task<QmpSession> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).WaitAsync(Timeout);
        var session = new QmpSession(socket);
        using (var greeting = JsonDocument.Parse(await session.ReadLineAsync()))
        {
            var qemu = greeting.RootElement.GetProperty("QMP").GetProperty("version").GetProperty("qemu");
            session.Version = $"{qemu.GetProperty("major")}.{qemu.GetProperty("minor")}.{qemu.GetProperty("micro")}";
        }
        await session.ExecuteAsync("qmp_capabilities");
        return session;
    }

    /// <summary>Runs a command and returns its <c>return</c> value; an <c>error</c> reply throws, naming it.</summary>
    public async Task<JsonElement> ExecuteAsync(string command, string? argumentsJson = null)
    {
        string request = argumentsJson is null ? $$"""{"execute":"{{command}}"}""" : $$"""{"execute":"{{command}}","arguments":{{argumentsJson}}}""";
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(request + "\n")).AsTask().WaitAsync(Timeout);
        while (true)
        {
            using var reply = JsonDocument.Parse(await ReadLineAsync());
            if (reply.RootElement.TryGetProperty("return", out var value)) return value.Clone();
            if (reply.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"QMP {command} failed: {error}");
        }
    }

    /// <summary>Reads a 32-bit word of guest physical memory through the human monitor's <c>xp</c> (device registers too).</summary>
    public async Task<uint> ReadPhysicalWordAsync(ulong address)
    {
        var output = (await ExecuteAsync("human-monitor-command", $$"""{"command-line":"xp /1wx 0x{{address:x}}"}""")).GetString() ?? "";
        // "0000000009030400: 0x00000007"
        string hex = output[(output.LastIndexOf("0x", StringComparison.Ordinal) + 2)..].Trim();
        return Convert.ToUInt32(hex, 16);
    }

    private async Task<string> ReadLineAsync() =>
        await _reader.ReadLineAsync().WaitAsync(Timeout) ?? throw new EndOfStreamException("QMP peer closed the connection");

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
