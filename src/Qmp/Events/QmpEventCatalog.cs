using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Qmp.Events;

/// <summary>The documented QMP events: which exist, which carry data, and typed reading and writing of their data.</summary>
/// <remarks>Unknown events are not an error anywhere in this project: they are kept as raw JSON
/// (<see cref="QmpMessage.Raw"/>). The catalog only adds typed access to the ones it knows.</remarks>
public static class QmpEventCatalog
{
    private sealed record Entry(JsonTypeInfo? TypeInfo);

    private static readonly QmpJsonContext Json = QmpJsonContext.Default;

    private static readonly FrozenDictionary<string, Entry> Entries = new Dictionary<string, Entry>
    {
        [QmpEventNames.AcpiDeviceOst] = new(Json.AcpiDeviceOstEvent),
        [QmpEventNames.BalloonChange] = new(Json.BalloonChangeEvent),
        [QmpEventNames.BlockImageCorrupted] = new(Json.BlockImageCorruptedEvent),
        [QmpEventNames.BlockIoError] = new(Json.BlockIoErrorEvent),
        [QmpEventNames.BlockJobCancelled] = new(Json.BlockJobCancelledEvent),
        [QmpEventNames.BlockJobCompleted] = new(Json.BlockJobCompletedEvent),
        [QmpEventNames.BlockJobError] = new(Json.BlockJobErrorEvent),
        [QmpEventNames.BlockJobReady] = new(Json.BlockJobReadyEvent),
        [QmpEventNames.JobStatusChange] = new(Json.JobStatusChangeEvent),
        [QmpEventNames.DeviceDeleted] = new(Json.DeviceDeletedEvent),
        [QmpEventNames.DeviceTrayMoved] = new(Json.DeviceTrayMovedEvent),
        [QmpEventNames.DeviceUnplugGuestError] = new(Json.DeviceUnplugGuestErrorEvent),
        [QmpEventNames.DumpCompleted] = new(Json.DumpCompletedEvent),
        [QmpEventNames.GuestPanicked] = new(Json.GuestPanickedEvent),
        [QmpEventNames.MemUnplugError] = new(Json.MemUnplugErrorEvent),
        [QmpEventNames.Migration] = new(Json.MigrationEvent),
        [QmpEventNames.MigrationPass] = new(Json.MigrationPassEvent),
        [QmpEventNames.NicRxFilterChanged] = new(Json.NicRxFilterChangedEvent),
        [QmpEventNames.Powerdown] = new(null),
        [QmpEventNames.QuorumFailure] = new(Json.QuorumFailureEvent),
        [QmpEventNames.QuorumReportBad] = new(Json.QuorumReportBadEvent),
        [QmpEventNames.Reset] = new(Json.ResetEvent),
        [QmpEventNames.Resume] = new(null),
        [QmpEventNames.RtcChange] = new(Json.RtcChangeEvent),
        [QmpEventNames.Shutdown] = new(Json.ShutdownEvent),
        [QmpEventNames.SpiceConnected] = new(Json.SpiceConnectedEvent),
        [QmpEventNames.SpiceDisconnected] = new(Json.SpiceDisconnectedEvent),
        [QmpEventNames.SpiceInitialized] = new(Json.SpiceInitializedEvent),
        [QmpEventNames.SpiceMigrateCompleted] = new(null),
        [QmpEventNames.Stop] = new(null),
        [QmpEventNames.Suspend] = new(null),
        [QmpEventNames.SuspendDisk] = new(null),
        [QmpEventNames.VncConnected] = new(Json.VncConnectedEvent),
        [QmpEventNames.VncDisconnected] = new(Json.VncDisconnectedEvent),
        [QmpEventNames.VncInitialized] = new(Json.VncInitializedEvent),
        [QmpEventNames.VserportChange] = new(Json.VserportChangeEvent),
        [QmpEventNames.Wakeup] = new(null),
        [QmpEventNames.Watchdog] = new(Json.WatchdogEvent),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Names of all documented events, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Keys.Order(StringComparer.Ordinal)];

    /// <summary>True when <paramref name="name"/> is a documented event.</summary>
    public static bool IsKnown(string name) => Entries.ContainsKey(name);

    /// <summary>True when the documented event has a <c>data</c> member (STOP, RESUME, ... have none).</summary>
    public static bool HasData(string name) => Entries.TryGetValue(name, out var e) && e.TypeInfo is not null;

    /// <summary>Reads the typed data of a documented event.</summary>
    /// <param name="qmpEvent">The event as received.</param>
    /// <param name="data">The typed data; <see cref="NoEventData"/> for events that document none.</param>
    /// <param name="error">Why the data did not match the documented shape, when false is returned for a known event.</param>
    /// <returns>False for unknown events (<paramref name="error"/> null) and for data of the wrong shape.</returns>
    public static bool TryParse(QmpEvent qmpEvent, out QmpEventData? data, out string? error)
    {
        ArgumentNullException.ThrowIfNull(qmpEvent);
        data = null;
        error = null;
        if (!Entries.TryGetValue(qmpEvent.Name, out var entry)) return false;
        if (entry.TypeInfo is null)
        {
            data = NoEventData.Instance;
            return true;
        }
        if (!qmpEvent.HasData)
        {
            error = $"{qmpEvent.Name} event lacks its 'data' member";
            return false;
        }
        try
        {
            data = Deserialize(qmpEvent.Name, qmpEvent.Data.Span, entry.TypeInfo);
            return data is not null;
        }
        catch (JsonException e)
        {
            error = $"{qmpEvent.Name} event data does not match the documented shape: {e.Message}";
            return false;
        }
    }

    /// <summary>The typed data of <paramref name="qmpEvent"/> when it is a documented event whose data is a
    /// <typeparamref name="T"/> of the documented shape; false otherwise (another event, or data of another shape).</summary>
    public static bool TryRead<T>(QmpEvent qmpEvent, [NotNullWhen(true)] out T? data) where T : QmpEventData
    {
        data = TryParse(qmpEvent, out var parsed, out _) ? parsed as T : null;
        return data is not null;
    }

    /// <summary>Reads the typed data of a documented event, throwing <see cref="QmpProtocolException"/> on a mismatch.</summary>
    public static QmpEventData Parse(QmpEvent qmpEvent)
    {
        if (TryParse(qmpEvent, out var data, out var error)) return data!;
        throw new QmpProtocolException(error ?? $"unknown QMP event '{qmpEvent.Name}'");
    }

    /// <summary>Writes typed event data as JSON (members named and omitted exactly as QEMU does).</summary>
    public static void WriteData(Utf8JsonWriter writer, QmpEventData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        JsonSerializer.Serialize(writer, data, Json.GetTypeInfo(data.GetType())
            ?? throw new ArgumentException($"{data.GetType().Name} is not a QMP event data type", nameof(data)));
    }

    private static QmpEventData? Deserialize(string name, ReadOnlySpan<byte> json, JsonTypeInfo typeInfo)
    {
        if (name == QmpEventNames.AcpiDeviceOst && !HasMember(json, "info"))
        {
            // The early QMP event document shows ACPIOSTInfo directly as data; QEMU wraps it in "info". Accept both.
            var info = JsonSerializer.Deserialize(json, Json.AcpiOstInfo);
            return info is null ? null : new AcpiDeviceOstEvent(info);
        }
        return (QmpEventData?)JsonSerializer.Deserialize(json, typeInfo);
    }

    private static bool HasMember(ReadOnlySpan<byte> json, string member)
    {
        var reader = new Utf8JsonReader(json, QmpJsonLimits.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(member)) return true;
            reader.Read();
            reader.Skip();
        }
        return false;
    }
}
