using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Qmp.Events;
using Appliance.Qmp.Replies;

namespace Appliance.Qmp;

/// <summary>Source-generated JSON metadata for every QMP type this library defines (no reflection, AOT-safe).</summary>
/// <remarks>QMP names members in kebab-case; members that QEMU spells otherwise carry an explicit name.
/// Required constructor parameters and non-nullable members are enforced when reading.</remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    MaxDepth = Codec.QmpJsonLimits.MaxDepth)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(NoEventData))]
[JsonSerializable(typeof(ResetEvent))]
[JsonSerializable(typeof(ShutdownEvent))]
[JsonSerializable(typeof(WatchdogEvent))]
[JsonSerializable(typeof(GuestPanickedEvent))]
[JsonSerializable(typeof(RtcChangeEvent))]
[JsonSerializable(typeof(BalloonChangeEvent))]
[JsonSerializable(typeof(BlockIoErrorEvent))]
[JsonSerializable(typeof(BlockImageCorruptedEvent))]
[JsonSerializable(typeof(QuorumFailureEvent))]
[JsonSerializable(typeof(QuorumReportBadEvent))]
[JsonSerializable(typeof(BlockJobCompletedEvent))]
[JsonSerializable(typeof(BlockJobCancelledEvent))]
[JsonSerializable(typeof(BlockJobReadyEvent))]
[JsonSerializable(typeof(BlockJobErrorEvent))]
[JsonSerializable(typeof(JobStatusChangeEvent))]
[JsonSerializable(typeof(DeviceDeletedEvent))]
[JsonSerializable(typeof(DeviceUnplugGuestErrorEvent))]
[JsonSerializable(typeof(DeviceTrayMovedEvent))]
[JsonSerializable(typeof(MemUnplugErrorEvent))]
[JsonSerializable(typeof(AcpiDeviceOstEvent))]
[JsonSerializable(typeof(AcpiOstInfo))]
[JsonSerializable(typeof(NicRxFilterChangedEvent))]
[JsonSerializable(typeof(VserportChangeEvent))]
[JsonSerializable(typeof(DumpCompletedEvent))]
[JsonSerializable(typeof(MigrationEvent))]
[JsonSerializable(typeof(MigrationPassEvent))]
[JsonSerializable(typeof(VncConnectedEvent))]
[JsonSerializable(typeof(VncInitializedEvent))]
[JsonSerializable(typeof(VncDisconnectedEvent))]
[JsonSerializable(typeof(SpiceConnectedEvent))]
[JsonSerializable(typeof(SpiceInitializedEvent))]
[JsonSerializable(typeof(SpiceDisconnectedEvent))]
[JsonSerializable(typeof(StatusInfo))]
[JsonSerializable(typeof(NameInfo))]
[JsonSerializable(typeof(CommandInfo[]))]
public sealed partial class QmpJsonContext : JsonSerializerContext;
