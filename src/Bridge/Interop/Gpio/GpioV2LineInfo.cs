using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>Mirror of <c>struct gpio_v2_line_info</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineInfo
{
    public fixed byte Name[GpioUapi.MaxNameSize];
    public fixed byte Consumer[GpioUapi.MaxNameSize];
    public uint Offset;
    public uint NumAttrs;
    public ulong Flags;
    public GpioV2AttributeArray Attrs;
    public fixed uint Padding[4];
}
