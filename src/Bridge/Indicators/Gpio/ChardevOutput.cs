using Appliance.Bridge.Interop.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>An output line request on the character device.</summary>
internal sealed class ChardevOutput(GpioPin pin, FileDescriptorHandle line) : IGpioOutput
{
    public GpioPin Pin { get; } = pin;

    public void Write(bool active) => GpioChipDevice.SetValue(line, active);

    public void Dispose() => line.Dispose();
}
