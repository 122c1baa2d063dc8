namespace Appliance.Qmp.Messages;

/// <summary>An asynchronous QMP event: <c>{"event": NAME, "data": {...}, "timestamp": {...}}</c>.</summary>
/// <remarks>The event keeps the exact line it came from (<see cref="QmpMessage.Raw"/>) and the raw JSON of
/// <c>data</c>; typed access to the documented events goes through <see cref="Events.QmpEventCatalog"/>.</remarks>
public sealed class QmpEvent : QmpMessage
{
    /// <summary>Creates an event.</summary>
    public QmpEvent(string name, QmpTimestamp timestamp, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> raw) : base(raw)
    {
        Name = name;
        Timestamp = timestamp;
        Data = data;
    }

    /// <summary>The event name, for example <c>STOP</c>.</summary>
    public string Name { get; }

    /// <summary>When the server emitted the event; zero when the server sent no timestamp.</summary>
    public QmpTimestamp Timestamp { get; }

    /// <summary>The raw JSON of the <c>data</c> member, or empty when the event has none.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>True when the event carries a <c>data</c> member.</summary>
    public bool HasData => !Data.IsEmpty;
}
