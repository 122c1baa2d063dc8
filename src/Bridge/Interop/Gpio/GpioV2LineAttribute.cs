using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>Mirror of <c>struct gpio_v2_line_attribute</c>. The kernel's union of flags, values and
/// debounce_period_us is one aligned u64 here; the 32-bit debounce member is its low half (little-endian).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpioV2LineAttribute
{
    public uint Id;
    public uint Padding;
    public ulong Value;
}
