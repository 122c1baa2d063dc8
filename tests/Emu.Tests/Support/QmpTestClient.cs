using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Events;
using Appliance.Qmp.Framing;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Tests.Support;

/// <summary>A minimal QMP client over a real socket for tests: raw lines in, parsed messages out, events kept aside.</summary>
internal sealed class QmpTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly QmpLineReader _reader;
    private readonly Queue<QmpEvent> _events = new();

    private QmpTestClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new QmpLineReader(_stream, 64 << 20);
    }

    public QmpGreeting Greeting { get; private set; } = null!;

    public Socket Socket => _socket;

    public static async Task<QmpTestClient> ConnectAsync(EndPoint endPoint, bool negotiate = true)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint).WaitAsync(Timeout);
        var client = new QmpTestClient(socket);
        client.Greeting = Assert.IsType<QmpGreeting>(await client.ReadMessageAsync());
        if (negotiate) Assert.IsType<QmpReturn>(await client.ExecuteAsync("qmp_capabilities"));
        return client;
    }

    public async Task SendLineAsync(string text) => await SendRawAsync(Encoding.UTF8.GetBytes(text + "\r\n"));

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes).AsTask().WaitAsync(Timeout);

    /// <summary>Reads the next line, or null at the end of the stream.</summary>
    public async Task<byte[]?> ReadLineAsync()
    {
        var line = await _reader.ReadLineAsync().AsTask().WaitAsync(Timeout);
        return line.Kind == QmpLineKind.EndOfStream ? null : line.Bytes;
    }

    public async Task<QmpMessage> ReadMessageAsync()
    {
        var line = await ReadLineAsync() ?? throw new EndOfStreamException("server closed the connection");
        return QmpMessageParser.Parse(line);
    }

    /// <summary>Reads until a response arrives; events on the way are queued for <see cref="NextEventAsync"/>.</summary>
    public async Task<QmpResponse> ReadResponseAsync()
    {
        while (true)
        {
            var message = await ReadMessageAsync();
            if (message is QmpResponse response) return response;
            _events.Enqueue(Assert.IsType<QmpEvent>(message));
        }
    }

    public async Task<QmpResponse> ExecuteAsync(string command, string? arguments = null, string? id = null)
    {
        var text = new StringBuilder("{\"execute\":\"").Append(command).Append('"');
        if (arguments is not null) text.Append(",\"arguments\":").Append(arguments);
        if (id is not null) text.Append(",\"id\":").Append(id);
        await SendLineAsync(text.Append('}').ToString());
        return await ReadResponseAsync();
    }

    /// <summary>Runs a command that must succeed and returns its <c>return</c> JSON text.</summary>
    public async Task<string> ReturnOfAsync(string command, string? arguments = null)
    {
        var response = await ExecuteAsync(command, arguments);
        var ok = Assert.IsType<QmpReturn>(response, exactMatch: false);
        return Compact(ok.Value.Span);
    }

    /// <summary>JSON without QEMU's spaces (members stay in the order the server wrote them: QEMU's order).</summary>
    public static string Compact(ReadOnlySpan<byte> json)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(json.Length);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
            doc.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public async Task<QmpErrorResponse> ErrorOfAsync(string command, string? arguments = null)
    {
        var response = await ExecuteAsync(command, arguments);
        return Assert.IsType<QmpErrorResponse>(response);
    }

    public async Task<QmpEvent> NextEventAsync()
    {
        if (_events.TryDequeue(out var queued)) return queued;
        return Assert.IsType<QmpEvent>(await ReadMessageAsync());
    }

    /// <summary>The next events must be exactly these, in this order; each must parse with the typed catalog.</summary>
    public async Task<QmpEvent[]> ExpectEventsAsync(params string[] names)
    {
        var events = new QmpEvent[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            events[i] = await NextEventAsync();
            Assert.Equal(names[i], events[i].Name);
            Assert.True(QmpEventCatalog.TryParse(events[i], out _, out var error), error);
        }
        return events;
    }

    public async Task<T> ExpectEventAsync<T>(string name) where T : QmpEventData
    {
        var e = (await ExpectEventsAsync(name))[0];
        return Assert.IsType<T>(QmpEventCatalog.Parse(e));
    }

    /// <summary>Returns the events that arrived before a query-status reply: the server sends everything it emitted
    /// before handling the query first, so an empty result proves no event is pending.</summary>
    public async Task<List<QmpEvent>> DrainEventsAsync()
    {
        await ReturnOfAsync("query-status");
        var drained = _events.ToList();
        _events.Clear();
        return drained;
    }

    public async Task<string> StatusAsync()
    {
        string json = await ReturnOfAsync("query-status");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("status").GetString()!;
    }

    /// <summary>Reads until the server closes; returns the events seen on the way.</summary>
    public async Task<List<QmpEvent>> ReadUntilClosedAsync()
    {
        var seen = _events.ToList();
        _events.Clear();
        while (await ReadLineAsync() is { } line)
        {
            if (QmpMessageParser.Parse(line) is QmpEvent e) seen.Add(e);
        }
        return seen;
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
