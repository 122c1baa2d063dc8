using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Interop.Gpio;
using Appliance.TestSupport.Waiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>An input line's descriptor in the epoll loop, on stand-in descriptors (this kernel has no GPIO chip): edges
/// are read as the kernel queues them, and a line whose reads fail (its chip gone) is reported once and dropped while
/// the loop goes on serving the others.</summary>
public sealed class GpioEdgeWatchTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private static readonly GpioLineSettings Button = new(new GpioPin("9030000.pl061", 3), "acknowledge-button");
    private static readonly GpioLineSettings Door = new(new GpioPin("9030000.pl061", 5), "door");
    private readonly GpioEventLoop _loop = new("test-edges");
    private readonly FakeLogger<GpioInputFaults> _log = new();
    private readonly GpioInputFaults _faults;

    public GpioEdgeWatchTests() => _faults = new GpioInputFaults(_log);

    [Fact]
    public async Task Queued_edges_reach_the_handler_with_their_kernel_time_and_sequence()
    {
        using var line = StandInDescriptors.Line();
        var edges = new List<GpioLineEdge>();
        using var watch = new GpioEdgeWatch(_loop, line.Line, Door, e => { lock (edges) edges.Add(e); }, _faults);

        line.Send(rising: true, 1_000, 1);
        line.Send(rising: false, 2_000, 2);

        await Eventually.TrueAsync(() => { lock (edges) return edges.Count == 2; }, "both edges handled", Limit);
        Assert.Equal([new GpioLineEdge(true, 1_000, 1), new GpioLineEdge(false, 2_000, 2)], edges);
        Assert.Empty(_faults.Current);
    }

    [Fact]
    public async Task Failed_read_is_logged_once_with_the_line_and_errno_and_the_loop_serves_the_other_lines()
    {
        using var door = StandInDescriptors.Line();
        using var gone = StandInDescriptors.GoneLine();
        int doorEdges = 0;
        using var doorWatch = new GpioEdgeWatch(_loop, door.Line, Door, _ => Interlocked.Increment(ref doorEdges), _faults);
        using var buttonWatch = new GpioEdgeWatch(_loop, gone, Button, _ => { }, _faults);

        await Eventually.TrueAsync(() => !buttonWatch.Watching, "the failed line is no longer watched", Limit);
        var fault = Assert.Single(_faults.Current);
        Assert.Equal((Button.Pin, "acknowledge-button", 5), (fault.Pin, fault.Owner, fault.Errno)); // EIO
        var logged = Assert.Single(_log.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("9030000.pl061:3 for 'acknowledge-button'", logged.Message, StringComparison.Ordinal);
        Assert.Contains("errno 5", logged.Message, StringComparison.Ordinal);

        // The gone line stays readable for ever: had it stayed in the epoll set, the loop would spin on it, and every
        // handler run counts. Only the door's edges run handlers now.
        long before = _loop.Dispatched;
        door.Send(rising: true, 1_000, 1);
        await Eventually.TrueAsync(() => Volatile.Read(ref doorEdges) == 1, "the door's edge handled", Limit);
        door.Send(rising: false, 2_000, 2);
        await Eventually.TrueAsync(() => Volatile.Read(ref doorEdges) == 2, "the door's second edge handled", Limit);
        Assert.Equal(before + 2, _loop.Dispatched);
        Assert.Null(_loop.Failure);
        Assert.Equal(1, _log.Collector.Count);
    }

    [Fact]
    public void Stopping_a_watch_is_not_a_fault()
    {
        using var line = StandInDescriptors.Line();
        var watch = new GpioEdgeWatch(_loop, line.Line, Door, _ => { }, _faults);

        watch.Dispose();

        Assert.False(watch.Watching);
        Assert.Empty(_faults.Current);
        Assert.Equal(0, _log.Collector.Count);
    }

    public void Dispose() => _loop.Dispose();
}
