namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>One GPIO line: a chip (device name such as <c>gpiochip0</c>, or the chip's label such as
/// <c>pinctrl-rp1</c>) and the line offset on it.</summary>
/// <param name="Chip">Device name under /dev, or chip label.</param>
/// <param name="Line">Line offset on the chip.</param>
public readonly record struct GpioPin(string Chip, uint Line)
{
    /// <summary>For messages: <c>gpiochip0:17</c>.</summary>
    public override string ToString() => $"{Chip}:{Line}";
}
