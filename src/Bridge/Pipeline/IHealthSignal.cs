namespace Appliance.Bridge.Pipeline;

/// <summary>The appliance's health as the pipeline's outputs need it: the heartbeat line stops while the appliance is
/// Unhealthy (never for Degraded). The host's health monitor provides it.</summary>
public interface IHealthSignal
{
    /// <summary>True while the appliance is Unhealthy.</summary>
    bool IsUnhealthy { get; }
}
