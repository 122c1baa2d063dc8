using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>An epoll instance watching descriptors for input, each under a caller's 64-bit token. A registered
/// descriptor's SafeHandle is referenced until it is removed, so its number cannot be closed and reused meanwhile.</summary>
internal sealed unsafe class EpollSet : IDisposable
{
    // struct epoll_event is packed on x86_64 (12 bytes, data at 4) and naturally aligned elsewhere (16 bytes, data at 8).
    private static readonly bool Packed = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;
    internal static readonly int EventSize = Packed ? 12 : 16;
    internal static readonly int DataOffset = Packed ? 4 : 8;

    private readonly FileDescriptorHandle _epoll;

    private EpollSet(FileDescriptorHandle epoll) => _epoll = epoll;

    /// <summary>Creates the instance (close-on-exec).</summary>
    /// <exception cref="IOException">epoll_create1 failed.</exception>
    public static EpollSet Create()
    {
        int fd = LibC.EpollCreate1(LibC.EpollCloExec);
        if (fd < 0) throw LastError("epoll_create1");
        return new EpollSet(new FileDescriptorHandle(fd));
    }

    /// <summary>Watches <paramref name="fd"/> for input (level-triggered); ready events carry <paramref name="token"/>.</summary>
    public void Add(SafeHandle fd, ulong token)
    {
        ArgumentNullException.ThrowIfNull(fd);
        bool added = false;
        fd.DangerousAddRef(ref added);
        byte* evt = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(evt, 4), LibC.EpollIn);
        WriteToken(evt, token);
        if (LibC.EpollCtl(_epoll, LibC.EpollCtlAdd, (int)fd.DangerousGetHandle(), evt) != 0)
        {
            var error = LastError("epoll_ctl(ADD)");
            fd.DangerousRelease();
            throw error;
        }
    }

    /// <summary>Stops watching <paramref name="fd"/> and drops the reference <see cref="Add"/> took.</summary>
    public void Remove(SafeHandle fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        byte* evt = stackalloc byte[16];
        int result = LibC.EpollCtl(_epoll, LibC.EpollCtlDel, (int)fd.DangerousGetHandle(), evt);
        if (result != 0) throw LastError("epoll_ctl(DEL)");
        fd.DangerousRelease();
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (-1: forever) and writes the tokens of ready
    /// descriptors to <paramref name="tokens"/>. Returns how many (0 on timeout or a signal).</summary>
    public int Wait(Span<ulong> tokens, int timeoutMilliseconds)
    {
        int max = Math.Min(tokens.Length, 64);
        byte* events = stackalloc byte[64 * 16];
        int ready = LibC.EpollWait(_epoll, events, max, timeoutMilliseconds);
        if (ready < 0)
        {
            if (Marshal.GetLastPInvokeError() == LibC.EIntr) return 0;
            throw LastError("epoll_wait");
        }
        for (int i = 0; i < ready; i++) tokens[i] = ReadToken(events + (i * EventSize));
        return ready;
    }

    public void Dispose() => _epoll.Dispose();

    private static void WriteToken(byte* evt, ulong token) =>
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(evt + DataOffset, 8), token);

    private static ulong ReadToken(byte* evt) => BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(evt + DataOffset, 8));

    private static IOException LastError(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
