using System.Text;
using System.Text.Unicode;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Framing;
using Appliance.Qmp.Messages;
using Appliance.Qmp.Streaming;
using BenchmarkDotNet.Attributes;

namespace Appliance.Bench.Micro;

/// <summary>Framing plus parsing, per message: the line reader (before the QMP stream reader) against the stream
/// reader (now), for the client's hot path (an event from QEMU) and the emulator's (a command from a client).
/// Each invocation reads a buffer of <see cref="Messages"/> one-line messages. Not sealed: BenchmarkDotNet derives.</summary>
[MemoryDiagnoser]
public class QmpFramingBenchmarks
{
    private const int Messages = 1000;

    private static readonly byte[] EventLines = Repeat(
        """{"timestamp": {"seconds": 1700000000, "microseconds": 123456}, "event": "BLOCK_IO_ERROR", "data": {"device": "drive-virtio0", "node-name": "node0", "operation": "write", "action": "stop", "nospace": false, "reason": "Input/output error"}}""");

    private static readonly byte[] CommandLines = Repeat("""{"execute": "block-job-set-speed", "arguments": {"device": "job0", "speed": 1048576}, "id": 42}""");

    private static byte[] Repeat(string line) => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(line + "\r\n", Messages)));

    /// <summary>Before: QmpLineReader, then QmpMessageParser on each line.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<int> EventLineReader()
    {
        var reader = new QmpLineReader(new MemoryStream(EventLines, writable: false), 1 << 20);
        int n = 0;
        while (true)
        {
            var line = await reader.ReadLineAsync().ConfigureAwait(false);
            if (line.Kind == QmpLineKind.EndOfStream) return n;
            if (QmpMessageParser.Parse(line.Bytes) is QmpEvent) n++;
        }
    }

    /// <summary>Now: QmpStreamReader as QmpClient uses it (whole lines first), then QmpMessageParser on each value.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<int> EventStreamReader()
    {
        var reader = new QmpStreamReader(new MemoryStream(EventLines, writable: false));
        int n = 0;
        while (true)
        {
            if (reader.PeekLine() is { } line && QmpMessageParser.Parse(line) is var message)
            {
                reader.AcceptLine(); // every line here is one well-formed event: no failure path to take
                if (message is QmpEvent) n++;
                continue;
            }
            var frame = await reader.ReadAsync().ConfigureAwait(false);
            if (frame.Kind == QmpFrameKind.EndOfStream) return n;
            if (QmpMessageParser.Parse(frame.Bytes) is QmpEvent) n++;
        }
    }

    /// <summary>Before: QmpLineReader, a UTF-8 check, then QmpRequestParser (the emulator's former read path).</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<int> CommandLineReader()
    {
        var reader = new QmpLineReader(new MemoryStream(CommandLines, writable: false), 1 << 20);
        int n = 0;
        while (true)
        {
            var line = await reader.ReadLineAsync().ConfigureAwait(false);
            if (line.Kind == QmpLineKind.EndOfStream) return n;
            if (Utf8.IsValid(line.Bytes) && QmpRequestParser.Parse(line.Bytes).Request is not null) n++;
        }
    }

    /// <summary>Now: QmpStreamReader, QemuJsonParser (QEMU's grammar and error texts), then QmpRequestParser.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<int> CommandStreamReader()
    {
        var reader = new QmpStreamReader(new MemoryStream(CommandLines, writable: false));
        int n = 0;
        while (true)
        {
            var frame = await reader.ReadAsync().ConfigureAwait(false);
            if (frame.Kind == QmpFrameKind.EndOfStream) return n;
            var json = QemuJsonParser.Parse(frame.Bytes);
            if (json.Error is null && QmpRequestParser.Parse(json.Json).Request is not null) n++;
        }
    }
}
