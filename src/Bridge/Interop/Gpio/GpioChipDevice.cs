using System.Runtime.InteropServices;
using System.Text;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>An open <c>/dev/gpiochipN</c>: chip and line info, and line requests. Managed values in and out.</summary>
internal sealed unsafe class GpioChipDevice : IDisposable
{
    private readonly FileDescriptorHandle _fd;

    private GpioChipDevice(string path, FileDescriptorHandle fd)
    {
        Path = path;
        _fd = fd;
    }

    public string Path { get; }

    /// <summary>Opens a chip; a missing device is a <see cref="FileNotFoundException"/>, others an <see cref="IOException"/>.</summary>
    public static GpioChipDevice Open(string path)
    {
        int fd = LibC.Open(path, LibC.ORdWr | LibC.OCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.ENoEnt) throw new FileNotFoundException($"GPIO chip {path} does not exist", path);
            throw new IOException($"cannot open GPIO chip {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
        return new GpioChipDevice(path, new FileDescriptorHandle(fd));
    }

    public (string Name, string Label, uint Lines) GetInfo()
    {
        GpioChipInfo info = default;
        Check(LibC.Ioctl(_fd, GpioUapi.GetChipInfo, &info), "GPIO_GET_CHIPINFO_IOCTL");
        return (Text(info.Name), Text(info.Label), info.Lines);
    }

    public (string Name, string Consumer, ulong Flags) GetLineInfo(uint offset)
    {
        GpioV2LineInfo info = default;
        info.Offset = offset;
        Check(LibC.Ioctl(_fd, GpioUapi.GetLineInfo, &info), $"GPIO_V2_GET_LINEINFO_IOCTL line {offset}");
        return (Text(info.Name), Text(info.Consumer), info.Flags);
    }

    /// <summary>Requests one line. Returns the request's fd, or the errno on failure (EBUSY when held).</summary>
    public (FileDescriptorHandle? Line, int Errno) RequestLine(uint offset, string consumer, ulong flags, bool? initialActive, uint debounceMicroseconds)
    {
        GpioV2LineRequest request = default;
        request.Offsets[0] = offset;
        request.NumLines = 1;
        WriteText(request.Consumer, consumer);
        request.Config.Flags = flags;
        uint attrs = 0;
        if (initialActive is { } active)
        {
            request.Config.Attrs[(int)attrs++] = new GpioV2LineConfigAttribute
            {
                Attr = new GpioV2LineAttribute { Id = GpioUapi.AttrIdOutputValues, Value = active ? 1UL : 0UL },
                Mask = 1,
            };
        }
        if (debounceMicroseconds > 0)
        {
            request.Config.Attrs[(int)attrs++] = new GpioV2LineConfigAttribute
            {
                Attr = new GpioV2LineAttribute { Id = GpioUapi.AttrIdDebounce, Value = debounceMicroseconds },
                Mask = 1,
            };
        }
        request.Config.NumAttrs = attrs;
        if (LibC.Ioctl(_fd, GpioUapi.GetLine, &request) != 0) return (null, Marshal.GetLastPInvokeError());
        return (new FileDescriptorHandle(request.Fd), 0);
    }

    /// <summary>Sets the logical value of the single line of <paramref name="line"/>.</summary>
    public static void SetValue(FileDescriptorHandle line, bool active)
    {
        var values = new GpioV2LineValues { Bits = active ? 1UL : 0UL, Mask = 1 };
        Check(LibC.Ioctl(line, GpioUapi.LineSetValues, &values), "GPIO_V2_LINE_SET_VALUES_IOCTL");
    }

    /// <summary>Reads the logical value of the single line of <paramref name="line"/>.</summary>
    public static bool GetValue(FileDescriptorHandle line)
    {
        var values = new GpioV2LineValues { Mask = 1 };
        Check(LibC.Ioctl(line, GpioUapi.LineGetValues, &values), "GPIO_V2_LINE_GET_VALUES_IOCTL");
        return (values.Bits & 1) != 0;
    }

    /// <summary>Reads the edge events queued on <paramref name="line"/> (call when it is readable: the read blocks
    /// otherwise). Returns how many were written to <paramref name="events"/>, at most 16; or -1 when the read failed,
    /// with <paramref name="errno"/> saying why (ENODEV or EIO once the chip is gone; 0 for an end of file, which a
    /// line request never gives while its chip is there).</summary>
    public static int ReadEvents(FileDescriptorHandle line, Span<GpioLineEdge> events, out int errno)
    {
        const int Max = 16;
        var buffer = stackalloc GpioV2LineEvent[Max];
        int wanted = Math.Min(Max, events.Length);
        nint bytes = LibC.Read(line, buffer, (nuint)(wanted * sizeof(GpioV2LineEvent)));
        errno = 0;
        if (bytes < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            if (errno is LibC.EIntr or LibC.EAgain) return 0;
            return -1;
        }
        if (bytes == 0) return -1;
        int count = (int)(bytes / sizeof(GpioV2LineEvent));
        for (int i = 0; i < count; i++)
        {
            events[i] = new GpioLineEdge(buffer[i].Id == GpioUapi.EventRisingEdge, buffer[i].TimestampNs, buffer[i].LineSeqno);
        }
        return count;
    }

    public void Dispose() => _fd.Dispose();

    private static void Check(int result, string call)
    {
        if (result == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        throw new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    private static string Text(byte* bytes)
    {
        var span = new ReadOnlySpan<byte>(bytes, GpioUapi.MaxNameSize);
        int end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    private static void WriteText(byte* destination, string text)
    {
        var span = new Span<byte>(destination, GpioUapi.MaxNameSize - 1);
        Encoding.UTF8.GetBytes(text.AsSpan(0, Math.Min(text.Length, GpioUapi.MaxNameSize - 1)), span);
    }
}

/// <summary>One edge read from a line request.</summary>
/// <param name="Rising">Rising (in logical terms: became active).</param>
/// <param name="TimestampNs">Kernel CLOCK_MONOTONIC nanoseconds of the edge.</param>
/// <param name="Sequence">The line's event sequence number.</param>
internal readonly record struct GpioLineEdge(bool Rising, ulong TimestampNs, uint Sequence);
