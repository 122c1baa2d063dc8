using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>Mirror of <c>struct gpio_v2_line_event</c>, read from a line request's fd.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineEvent
{
    public ulong TimestampNs;
    public uint Id;
    public uint Offset;
    public uint Seqno;
    public uint LineSeqno;
    public fixed uint Padding[6];
}
