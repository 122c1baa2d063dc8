using Appliance.Bridge.Indicators.Gpio;

namespace Appliance.Bridge.Indicators;

/// <summary>A push button that acknowledges all latched alarms when pressed.</summary>
public sealed class AcknowledgeButtonOptions
{
    /// <summary>Pin name on the board, or <c>chip:line</c>.</summary>
    public string Pin { get; set; } = "";

    /// <summary>Pressed when the pin is low (a button to ground with a pull-up).</summary>
    public bool ActiveLow { get; set; } = true;

    /// <summary>Pull resistor.</summary>
    public GpioBias Bias { get; set; } = GpioBias.PullUp;

    /// <summary>The level must be stable this long before an edge counts.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(30);
}
