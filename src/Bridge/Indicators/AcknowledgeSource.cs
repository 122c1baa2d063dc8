namespace Appliance.Bridge.Indicators;

/// <summary>Who acknowledged latched alarms: the <c>by</c> member of <c>APPLIANCE_ALARM_ACK</c>.</summary>
public static class AcknowledgeSource
{
    /// <summary>An MQTT command (<c>x-appliance-ack</c>).</summary>
    public const string Mqtt = "mqtt";

    /// <summary>The command line.</summary>
    public const string Cli = "cli";

    /// <summary>The GPIO push button.</summary>
    public const string Button = "button";
}
