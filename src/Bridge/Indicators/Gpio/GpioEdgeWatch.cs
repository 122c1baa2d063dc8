using Appliance.Bridge.Interop.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>An input line's request descriptor in a <see cref="GpioEventLoop"/>: each time it is readable, the edges
/// the kernel queued are read and handed on. A read that fails (EIO or ENODEV once the chip is gone, after which the
/// descriptor stays readable for ever) ends the watch: the failure goes to <see cref="GpioInputFaults"/> (logged once,
/// naming the line and the errno) and the descriptor leaves the epoll set, so the loop neither spins on it nor stops
/// serving the other lines.</summary>
internal sealed class GpioEdgeWatch : IDisposable
{
    private readonly GpioEventLoop _loop;
    private readonly FileDescriptorHandle _fd;
    private readonly GpioLineSettings _line;
    private readonly Action<GpioLineEdge> _onEdge;
    private readonly GpioInputFaults _faults;
    private int _watching;

    /// <summary>Starts watching <paramref name="fd"/> (the request of <paramref name="line"/>) on <paramref name="loop"/>.</summary>
    public GpioEdgeWatch(GpioEventLoop loop, FileDescriptorHandle fd, GpioLineSettings line, Action<GpioLineEdge> onEdge, GpioInputFaults faults)
    {
        _loop = loop;
        _fd = fd;
        _line = line;
        _onEdge = onEdge;
        _faults = faults;
        _watching = 1; // before Add: the first readiness may come at once
        _loop.Add(fd, OnReadable);
    }

    /// <summary>False once the watch ended (disposed, or the line failed).</summary>
    public bool Watching => Volatile.Read(ref _watching) == 1;

    /// <summary>Stops watching; the descriptor stays its owner's.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _watching, 0) == 1) _loop.Remove(_fd);
    }

    // On the loop's thread.
    private void OnReadable()
    {
        Span<GpioLineEdge> edges = stackalloc GpioLineEdge[16];
        int count, errno;
        try
        {
            count = GpioChipDevice.ReadEvents(_fd, edges, out errno);
        }
        catch (ObjectDisposedException)
        {
            // Released while this read was starting: not a fault.
            Dispose();
            return;
        }
        if (count < 0)
        {
            // Recorded before the watch ends, so whoever sees it no longer watching also sees why.
            _faults.Report(_line, errno);
            Dispose();
            return;
        }
        for (int i = 0; i < count; i++) _onEdge(edges[i]);
    }
}
