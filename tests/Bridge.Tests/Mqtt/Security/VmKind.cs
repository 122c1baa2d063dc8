namespace Appliance.Bridge.Tests.Mqtt.Security;

/// <summary>Which VM the command tests drive.</summary>
public enum VmKind
{
    /// <summary>The appliance's emulated VM (the box's default workload), in process.</summary>
    Emulated,

    /// <summary>A real qemu-system-x86_64.</summary>
    Qemu,
}
