namespace Appliance.Qmp.Events;

/// <summary>BLOCK_IO_ERROR: a disk I/O error; <c>action</c> is ignore, report or stop (stop is followed by STOP).
/// QEMU 9.1 adds the guest device's <c>qom-path</c> (first member; mandatory since 9.2).</summary>
public sealed record BlockIoErrorEvent(
    string Device,
    string Operation,
    string Action,
    string? NodeName = null,
    bool? Nospace = null,
    string? Reason = null,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(-1)] string? QomPath = null) : QmpEventData;

/// <summary>BLOCK_IMAGE_CORRUPTED: an image was marked corrupt. <c>device</c> may be empty when only a node name exists.</summary>
public sealed record BlockImageCorruptedEvent(
    string Device,
    string Msg,
    string? NodeName = null,
    long? Offset = null,
    long? Size = null,
    bool? Fatal = null) : QmpEventData;

/// <summary>QUORUM_FAILURE: the quorum driver could not establish a quorum.</summary>
public sealed record QuorumFailureEvent(string Reference, long SectorNum, long SectorsCount) : QmpEventData;

/// <summary>QUORUM_REPORT_BAD: one child of a quorum returned bad data or failed; <c>type</c> is read, write or flush.</summary>
public sealed record QuorumReportBadEvent(
    string Type,
    string NodeName,
    long SectorNum,
    long SectorsCount,
    string? Error = null) : QmpEventData;
