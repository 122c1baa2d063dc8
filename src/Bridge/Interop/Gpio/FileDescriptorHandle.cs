using Microsoft.Win32.SafeHandles;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>An owned Linux file descriptor (a GPIO chip or a line request), closed exactly once.</summary>
internal sealed class FileDescriptorHandle : SafeHandleMinusOneIsInvalid
{
    /// <summary>Takes ownership of a descriptor from <c>open</c> or from the kernel inside a struct (the line request fd).</summary>
    public FileDescriptorHandle(int fd) : base(ownsHandle: true) => SetHandle(fd);

    protected override bool ReleaseHandle() => LibC.Close((int)handle) == 0;
}
