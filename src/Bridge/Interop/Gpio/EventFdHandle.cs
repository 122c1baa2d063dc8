using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>An eventfd counter: <see cref="Signal"/> makes it readable until <see cref="Drain"/>. Wakes an epoll loop.</summary>
internal sealed unsafe class EventFdHandle : IDisposable
{
    private EventFdHandle(FileDescriptorHandle fd) => Handle = fd;

    /// <summary>The descriptor, for <see cref="EpollSet.Add"/>.</summary>
    public FileDescriptorHandle Handle { get; }

    /// <exception cref="IOException">eventfd failed.</exception>
    public static EventFdHandle Create()
    {
        int fd = LibC.EventFd(0, LibC.EfdCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"eventfd failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
        return new EventFdHandle(new FileDescriptorHandle(fd));
    }

    /// <summary>Adds one to the counter (readable from now on).</summary>
    public void Signal()
    {
        ulong one = 1;
        if (LibC.Write(Handle, &one, sizeof(ulong)) != sizeof(ulong))
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"write to eventfd failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    /// <summary>Reads and resets the counter; returns its value.</summary>
    public ulong Drain()
    {
        ulong value = 0;
        return LibC.Read(Handle, &value, sizeof(ulong)) == sizeof(ulong) ? value : 0;
    }

    public void Dispose() => Handle.Dispose();
}
