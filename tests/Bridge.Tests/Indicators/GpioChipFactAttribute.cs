using Appliance.Bridge.Indicators.Gpio;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>A fact that needs a real GPIO chip: skipped, saying why, where /dev/gpiochip* does not exist.</summary>
public sealed class GpioChipFactAttribute : FactAttribute
{
    public GpioChipFactAttribute()
    {
        if (!ChardevGpioDriver.AnyChipPresent())
        {
            Skip = "no /dev/gpiochip* on this machine (no GPIO hardware and no gpio-sim); runs on a board. The same checks "
                + "(every line listed, the appliance named as holder, a second request refused) run against a real kernel chip "
                + "in the arm64 VM: tests/Integration Arm64VmGpioTests";
        }
    }
}
