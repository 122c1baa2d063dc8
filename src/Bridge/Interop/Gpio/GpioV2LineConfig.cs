using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>Mirror of <c>struct gpio_v2_line_config</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineConfig
{
    public ulong Flags;
    public uint NumAttrs;
    public fixed uint Padding[5];
    public GpioV2ConfigAttributeArray Attrs;
}
