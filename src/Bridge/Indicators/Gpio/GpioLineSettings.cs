namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>How a line is requested from the kernel.</summary>
/// <param name="Pin">The line.</param>
/// <param name="Owner">Who asks, for error messages (an indicator or button name).</param>
/// <param name="ActiveLow">The line is active when the pin is physically low.</param>
/// <param name="Drive">Output drive.</param>
/// <param name="Bias">Pull resistor.</param>
public sealed record GpioLineSettings(GpioPin Pin, string Owner, bool ActiveLow = false,
    GpioDrive Drive = GpioDrive.PushPull, GpioBias Bias = GpioBias.AsIs);

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
