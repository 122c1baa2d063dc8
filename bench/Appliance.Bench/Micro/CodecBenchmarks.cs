using System.Buffers;
using System.Text;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;
using BenchmarkDotNet.Attributes;

namespace Appliance.Bench.Micro;

/// <summary>The QMP codec's hot paths, per event. Not sealed: BenchmarkDotNet derives from benchmark classes.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private static readonly byte[] EventLine = Encoding.UTF8.GetBytes(
        """{"timestamp": {"seconds": 1700000000, "microseconds": 123456}, "event": "BLOCK_IO_ERROR", "data": {"device": "drive-virtio0", "node-name": "node0", "operation": "write", "action": "stop", "nospace": false, "reason": "Input/output error"}}""");

    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private readonly QmpTimestamp _timestamp = new(1700000000, 123456);
    private QmpEvent _event = null!;

    /// <summary>Parses the line once for the catalog benchmark.</summary>
    [GlobalSetup]
    public void Setup() => _event = (QmpEvent)QmpMessageParser.Parse(EventLine);

    /// <summary>One event line to a message.</summary>
    [Benchmark]
    public QmpMessage ParseEventLine() => QmpMessageParser.Parse(EventLine);

    /// <summary>One event to its wire form.</summary>
    [Benchmark]
    public int WriteEvent()
    {
        _output.ResetWrittenCount();
        QmpMessageWriter.WriteEvent(_output, "BALLOON_CHANGE", _timestamp, static w =>
        {
            w.WriteStartObject();
            w.WriteNumber("actual", 1073741824);
            w.WriteEndObject();
        });
        return _output.WrittenCount;
    }

    /// <summary>An event's data to its typed record.</summary>
    [Benchmark]
    public bool CatalogTryParse() => QmpEventCatalog.TryParse(_event, out _, out _);
}
