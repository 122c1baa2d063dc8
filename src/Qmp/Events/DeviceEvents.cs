namespace Appliance.Qmp.Events;

/// <summary>DEVICE_DELETED: the guest acknowledged a device removal; the ID may be reused.</summary>
public sealed record DeviceDeletedEvent(string Path, string? Device = null) : QmpEventData;

/// <summary>DEVICE_TRAY_MOVED: a removable medium's tray opened or closed. QEMU 2.10+ adds the qdev <c>id</c>.</summary>
public sealed record DeviceTrayMovedEvent(
    string Device,
    [property: System.Text.Json.Serialization.JsonPropertyName("tray-open")] bool TrayOpen,
    string? Id = null) : QmpEventData;

/// <summary>DEVICE_UNPLUG_GUEST_ERROR (QEMU 6.2+, qapi/qdev.json): the guest reported an error for a device unplug; the
/// device stays.</summary>
public sealed record DeviceUnplugGuestErrorEvent(string Path, string? Device = null) : QmpEventData;

/// <summary>MEM_UNPLUG_ERROR: a memory hot-unplug failed.</summary>
public sealed record MemUnplugErrorEvent(string Device, string Msg) : QmpEventData;

/// <summary>ACPI_DEVICE_OST: the guest ran the ACPI _OST method. QEMU sends the info under <c>info</c>.</summary>
public sealed record AcpiDeviceOstEvent(AcpiOstInfo Info) : QmpEventData;

/// <summary>ACPIOSTInfo from QEMU's qapi schema.</summary>
public sealed record AcpiOstInfo(string SlotType, string Slot, long Source, long Status, string? Device = null);

/// <summary>NIC_RX_FILTER_CHANGED: a NIC's receive filter changed; sent once until <c>query-rx-filter</c> runs.</summary>
public sealed record NicRxFilterChangedEvent(string Path, string? Name = null) : QmpEventData;

/// <summary>VSERPORT_CHANGE: the guest opened or closed a virtio-serial port.</summary>
public sealed record VserportChangeEvent(string Id, bool Open) : QmpEventData;

/// <summary>DUMP_COMPLETED: a detached <c>dump-guest-memory</c> finished; <c>error</c> set on failure.</summary>
public sealed record DumpCompletedEvent(DumpQueryResult Result, string? Error = null) : QmpEventData;

/// <summary>DumpQueryResult: status is none, active, completed or failed.</summary>
public sealed record DumpQueryResult(string Status, long Completed, long Total);
