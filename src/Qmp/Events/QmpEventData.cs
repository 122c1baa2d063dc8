namespace Appliance.Qmp.Events;

/// <summary>Base of the typed <c>data</c> records of the documented QMP events (see <see cref="QmpEventCatalog"/>).</summary>
/// <remarks>Members are the ones the QMP event documents and QEMU's qapi schema define; optional members are
/// nullable and left out of the JSON when null. Members a server adds beyond these stay in the event's raw JSON.</remarks>
public abstract record QmpEventData;

/// <summary>The <c>data</c> of an event that documents none (STOP, RESUME, POWERDOWN, ...).</summary>
public sealed record NoEventData : QmpEventData
{
    /// <summary>The single instance.</summary>
    public static NoEventData Instance { get; } = new();
}
