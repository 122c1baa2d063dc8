using Appliance.Bridge.Indicators.Gpio;

namespace Appliance.Bridge.Indicators;

/// <summary>An output that toggles while the pipeline is healthy, for an external hardware watchdog.</summary>
public sealed class HeartbeatOptions
{
    /// <summary>Pin name on the board, or <c>chip:line</c>.</summary>
    public string Pin { get; set; } = "";

    /// <summary>Time between toggles.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Active when low.</summary>
    public bool ActiveLow { get; set; }

    /// <summary>Output drive.</summary>
    public GpioDrive Drive { get; set; } = GpioDrive.PushPull;
}
