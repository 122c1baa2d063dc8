using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>Mirror of <c>struct gpio_v2_line_config_attribute</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpioV2LineConfigAttribute
{
    public GpioV2LineAttribute Attr;
    public ulong Mask;
}
