using Appliance.Bridge.Indicators.Gpio;

namespace Appliance.Bridge.Indicators;

/// <summary>One configured indicator: an LED or a relay on a GPIO line.</summary>
public sealed class IndicatorDefinition
{
    /// <summary>Unique name, for example <c>status</c> or <c>alarm-relay</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>Pin name on the configured board (<c>GPIO17</c>, <c>P1-11</c>) or <c>chip:line</c>.</summary>
    public string Pin { get; set; } = "";

    /// <summary>LED or relay (relays never blink faster than <see cref="IndicatorOptions.MinimumRelayBlinkPeriod"/>).</summary>
    public IndicatorKind Kind { get; set; } = IndicatorKind.Led;

    /// <summary>The indicator is on when the pin is physically low.</summary>
    public bool ActiveLow { get; set; }

    /// <summary>Output drive.</summary>
    public GpioDrive Drive { get; set; } = GpioDrive.PushPull;

    /// <summary>Pull resistor.</summary>
    public GpioBias Bias { get; set; } = GpioBias.AsIs;

    /// <summary>The level at start before any rule runs, and after a clean stop.</summary>
    public IndicatorLevel SafeState { get; set; } = IndicatorLevel.Off;
}

/// <summary>What an indicator drives.</summary>
public enum IndicatorKind
{
    /// <summary>A lamp.</summary>
    Led,
    /// <summary>A relay (power cut, buzzer).</summary>
    Relay,
}

/// <summary>A logical level.</summary>
public enum IndicatorLevel
{
    /// <summary>Inactive.</summary>
    Off,
    /// <summary>Active.</summary>
    On,
}
