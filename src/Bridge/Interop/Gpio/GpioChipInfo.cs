using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>Mirror of <c>struct gpiochip_info</c> (linux/gpio.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioChipInfo
{
    public fixed byte Name[GpioUapi.MaxNameSize];
    public fixed byte Label[GpioUapi.MaxNameSize];
    public uint Lines;
}
