using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>The libc calls the GPIO character device needs: one thin method per native call.</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    public const int ORdWr = 0x2;
    public const int OCloExec = 0x80000;
    public const int EIntr = 4;
    public const int EBusy = 16;
    public const int ENoEnt = 2;
    public const int EAgain = 11;

    // Returns int, not a SafeHandle: a SafeHandle return is pointer-sized and would read open's 32-bit -1 as 4294967295.
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, void* argument);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(FileDescriptorHandle fd, void* buffer, nuint count);
}
