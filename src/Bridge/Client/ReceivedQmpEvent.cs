using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Client;

/// <summary>An event as read from a monitor, with the host time it was read.</summary>
/// <param name="Event">The event; its Raw is the line exactly as the monitor sent it.</param>
/// <param name="Received">When the line was read.</param>
public readonly record struct ReceivedQmpEvent(QmpEvent Event, DateTimeOffset Received);
