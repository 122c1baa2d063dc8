using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Appliance.Bridge.Interop.Gpio;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>Real descriptors standing in for GPIO line requests where this kernel has no GPIO chip: a pipe carrying
/// the kernel's <c>struct gpio_v2_line_event</c> records, and a pseudo-terminal whose other side is gone, which,
/// like a line request whose chip was removed, stays readable for ever while every read fails (EIO).</summary>
internal static partial class StandInDescriptors
{
    private const int OCloExec = 0x80000;
    private const int EventSize = 48;

    /// <summary>A line that delivers what <see cref="EdgePipe.Send"/> writes.</summary>
    public static EdgePipe Line()
    {
        var fds = new int[2];
        if (Pipe2(fds, OCloExec) != 0) throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        return new EdgePipe(new FileDescriptorHandle(fds[0]), new FileStream(new SafeFileHandle(fds[1], ownsHandle: true), FileAccess.Write, 0));
    }

    /// <summary>A line whose chip went away: readable (EPOLLHUP), every read fails with EIO.</summary>
    public static FileDescriptorHandle GoneLine()
    {
        if (OpenPty(out int master, out int other, 0, 0, 0) != 0) throw new IOException($"openpty failed: errno {Marshal.GetLastPInvokeError()}");
        new SafeFileHandle(other, ownsHandle: true).Dispose();
        return new FileDescriptorHandle(master);
    }

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2([Out] int[] fds, int flags);

    [LibraryImport("libc", EntryPoint = "openpty", SetLastError = true)]
    private static partial int OpenPty(out int master, out int other, nint name, nint termios, nint winsize);

    /// <summary>The read end is the "line request"; edges written to the other end come out as the kernel's.</summary>
    internal sealed class EdgePipe(FileDescriptorHandle line, FileStream writer) : IDisposable
    {
        public FileDescriptorHandle Line { get; } = line;

        /// <summary>Queues one edge event as the kernel lays it out (timestamp, id 1 rising / 2 falling, offset, seqno, line seqno).</summary>
        public void Send(bool rising, ulong timestampNs, uint lineSequence)
        {
            var record = new byte[EventSize];
            BinaryPrimitives.WriteUInt64LittleEndian(record, timestampNs);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), rising ? 1u : 2u);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(16), lineSequence);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(20), lineSequence);
            writer.Write(record);
            writer.Flush();
        }

        public void Dispose()
        {
            writer.Dispose();
            Line.Dispose();
        }
    }
}
