namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>A GPIO chip as <c>gpio list</c> shows it.</summary>
/// <param name="Name">Device name, for example <c>gpiochip0</c>.</param>
/// <param name="Label">The chip's label, for example <c>pinctrl-bcm2711</c>.</param>
/// <param name="Lines">Every line on the chip.</param>
public sealed record GpioChipDescription(string Name, string Label, IReadOnlyList<GpioLineDescription> Lines);

/// <summary>One line of a chip.</summary>
/// <param name="Offset">Line offset.</param>
/// <param name="Name">The line's name, or empty.</param>
/// <param name="Consumer">Who holds it, or empty.</param>
/// <param name="Used">Not available for request.</param>
/// <param name="Output">Configured as output.</param>
/// <param name="ActiveLow">Configured active-low.</param>
public sealed record GpioLineDescription(uint Offset, string Name, string Consumer, bool Used, bool Output, bool ActiveLow);
