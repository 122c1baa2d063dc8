namespace Appliance.Bridge.Mqtt;

/// <summary>Commands the mirror handles itself instead of passing them to QEMU.</summary>
public static class MqttCommandNames
{
    /// <summary>Acknowledges the VM's latched alarms (<see cref="Pipeline.IAlarmAcknowledger"/>).</summary>
    public const string Acknowledge = "x-appliance-ack";
}
