using System.Threading.Channels;
using Appliance.Bridge.Interop.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>An input line request on the character device. A dedicated thread polls the line fd for edge events
/// (debounced by the kernel) and queues them; the queue keeps the newest 64.</summary>
internal sealed class ChardevInput : IGpioInput
{
    private const int PollMilliseconds = 200;
    private readonly FileDescriptorHandle _line;
    private readonly Channel<GpioEdge> _edges = Channel.CreateBounded<GpioEdge>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Thread _reader;
    private volatile bool _stopping;

    public ChardevInput(GpioPin pin, FileDescriptorHandle line)
    {
        Pin = pin;
        _line = line;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"gpio-input {pin}" };
        _reader.Start();
    }

    public GpioPin Pin { get; }

    public bool Read() => GpioChipDevice.GetValue(_line);

    public ValueTask<GpioEdge> ReadEdgeAsync(CancellationToken cancellationToken) => _edges.Reader.ReadAsync(cancellationToken);

    public void Dispose()
    {
        _stopping = true;
        _reader.Join();
        _line.Dispose();
    }

    private void ReadLoop()
    {
        var events = new (bool Rising, ulong TimestampNs)[16];
        try
        {
            while (!_stopping)
            {
                int count = GpioChipDevice.ReadEvents(_line, events, PollMilliseconds);
                for (int i = 0; i < count; i++) _edges.Writer.TryWrite(new GpioEdge(events[i].Rising, (long)events[i].TimestampNs));
            }
            _edges.Writer.TryComplete();
        }
        catch (IOException e)
        {
            _edges.Writer.TryComplete(e);
        }
    }
}
