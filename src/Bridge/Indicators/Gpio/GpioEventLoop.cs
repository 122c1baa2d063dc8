using System.Runtime.InteropServices;
using Appliance.Bridge.Interop.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>One thread for every watched input: an epoll set over the line request descriptors (any readable
/// descriptor works), plus an eventfd that wakes it to stop. When a descriptor is readable its handler runs on this
/// thread; handlers must read what is ready and return quickly.</summary>
internal sealed class GpioEventLoop : IDisposable
{
    private const ulong WakeToken = 0;
    private readonly object _gate = new();
    private readonly EpollSet _epoll;
    private readonly EventFdHandle _wake;
    private readonly Dictionary<ulong, Action> _handlers = [];
    private readonly Thread _thread;
    private ulong _nextToken = WakeToken + 1;
    private volatile bool _stopping;
    private bool _disposed;

    /// <summary>Creates the epoll set and starts the thread.</summary>
    /// <param name="name">Thread name, for debuggers and <c>top -H</c>.</param>
    /// <exception cref="IOException">epoll or eventfd could not be created.</exception>
    public GpioEventLoop(string name)
    {
        _epoll = EpollSet.Create();
        try
        {
            _wake = EventFdHandle.Create();
            _epoll.Add(_wake.Handle, WakeToken);
        }
        catch
        {
            _epoll.Dispose();
            throw;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Set when the loop ended on an error it could not continue after (null while it runs).</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Handlers run so far (for tests and diagnostics).</summary>
    public long Dispatched => Interlocked.Read(ref _dispatched);

    private long _dispatched;

    /// <summary>Watches <paramref name="fd"/>: <paramref name="onReadable"/> runs on the loop's thread each time it
    /// is readable. The descriptor stays open at least until <see cref="Remove"/>.</summary>
    public void Add(SafeHandle fd, Action onReadable)
    {
        ArgumentNullException.ThrowIfNull(onReadable);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ulong token = _nextToken++;
            _handlers[token] = onReadable;
            try
            {
                _epoll.Add(fd, token);
            }
            catch
            {
                _handlers.Remove(token);
                throw;
            }
            _tokens[fd] = token;
        }
    }

    private readonly Dictionary<SafeHandle, ulong> _tokens = new(ReferenceEqualityComparer.Instance);

    /// <summary>Stops watching <paramref name="fd"/>; its handler does not start again after this returns.</summary>
    public void Remove(SafeHandle fd)
    {
        lock (_gate)
        {
            if (!_tokens.Remove(fd, out ulong token)) return;
            _handlers.Remove(token);
            if (!_disposed) _epoll.Remove(fd);
            else fd.DangerousRelease();
        }
    }

    /// <summary>Wakes the thread, waits for it to end, then closes the epoll set. Descriptors still watched are left
    /// to their owners.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _stopping = true;
        _wake.Signal();
        if (Thread.CurrentThread != _thread) _thread.Join();
        lock (_gate)
        {
            foreach (var fd in _tokens.Keys) fd.DangerousRelease();
            _tokens.Clear();
            _handlers.Clear();
        }
        _epoll.Dispose();
        _wake.Dispose();
    }

    private void Run()
    {
        Span<ulong> ready = stackalloc ulong[16];
        try
        {
            while (!_stopping)
            {
                int count = _epoll.Wait(ready, -1);
                for (int i = 0; i < count && !_stopping; i++)
                {
                    if (ready[i] == WakeToken)
                    {
                        _wake.Drain();
                        continue;
                    }
                    Action? handler;
                    lock (_gate) _handlers.TryGetValue(ready[i], out handler);
                    if (handler is null) continue;
                    try
                    {
                        handler();
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // One line's failure (it is reported by its handler) must not stop the others.
                    }
                    Interlocked.Increment(ref _dispatched);
                }
            }
        }
        catch (IOException e)
        {
            Failure = e;
        }
    }
}
