namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>How a line is requested from the kernel: everything <see cref="System.Device.Gpio.PinMode"/> cannot say
/// (active-low, drive, bias, debounce, the chip by label) travels here, in the driver's own line map.</summary>
/// <param name="Pin">The line.</param>
/// <param name="Owner">Who asks, for error messages (an indicator or button name).</param>
/// <param name="ActiveLow">The line is active when the pin is physically low; pin values are logical.</param>
/// <param name="Drive">Output drive.</param>
/// <param name="Bias">Pull resistor (an input mode with a pull overrides it).</param>
/// <param name="Debounce">Inputs: an edge is reported once the level has been stable this long (zero: none).</param>
public sealed record GpioLineSettings(GpioPin Pin, string Owner, bool ActiveLow = false,
    GpioDrive Drive = GpioDrive.PushPull, GpioBias Bias = GpioBias.AsIs, TimeSpan Debounce = default);

/// <summary>Output drive of a line.</summary>
public enum GpioDrive
{
    /// <summary>Driven both high and low.</summary>
    PushPull,
    /// <summary>Driven low only; high is floating (needs a pull-up).</summary>
    OpenDrain,
    /// <summary>Driven high only; low is floating (needs a pull-down).</summary>
    OpenSource,
}

/// <summary>Pull resistor of a line.</summary>
public enum GpioBias
{
    /// <summary>Leave as the chip has it.</summary>
    AsIs,
    /// <summary>No pull resistor.</summary>
    Disabled,
    /// <summary>Pull up.</summary>
    PullUp,
    /// <summary>Pull down.</summary>
    PullDown,
}
