using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Mosquitto;

/// <summary>The C library's <c>free</c>, for the strings and buffers libmosquitto's property readers allocate.</summary>
internal static partial class LibC
{
    [LibraryImport("libc", EntryPoint = "free")]
    internal static partial void Free(nint pointer);
}
