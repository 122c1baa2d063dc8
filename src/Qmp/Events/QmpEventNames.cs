namespace Appliance.Qmp.Events;

/// <summary>The names of the 36 events documented by the two QMP event documents this project follows, and of the few
/// later QEMU releases added that the emulator sends.</summary>
public static class QmpEventNames
{
#pragma warning disable CS1591 // The constants are the event names themselves.
    public const string AcpiDeviceOst = "ACPI_DEVICE_OST";
    public const string BalloonChange = "BALLOON_CHANGE";
    public const string BlockImageCorrupted = "BLOCK_IMAGE_CORRUPTED";
    public const string BlockIoError = "BLOCK_IO_ERROR";
    public const string BlockJobCancelled = "BLOCK_JOB_CANCELLED";
    public const string BlockJobCompleted = "BLOCK_JOB_COMPLETED";
    public const string BlockJobError = "BLOCK_JOB_ERROR";
    public const string BlockJobReady = "BLOCK_JOB_READY";
    /// <summary>JOB_STATUS_CHANGE (QEMU 3.0+): a job moved to another state of its life cycle.</summary>
    public const string JobStatusChange = "JOB_STATUS_CHANGE";
    public const string DeviceDeleted = "DEVICE_DELETED";
    public const string DeviceTrayMoved = "DEVICE_TRAY_MOVED";
    /// <summary>QEMU 6.2+ (not in the seed documents): the guest refused or failed a device unplug.</summary>
    public const string DeviceUnplugGuestError = "DEVICE_UNPLUG_GUEST_ERROR";
    public const string DumpCompleted = "DUMP_COMPLETED";
    public const string GuestPanicked = "GUEST_PANICKED";
    /// <summary>QEMU 9.1+: the guest asked for shutdown through pvpanic (not in the seed documents, no data).</summary>
    public const string GuestPvshutdown = "GUEST_PVSHUTDOWN";
    public const string MemUnplugError = "MEM_UNPLUG_ERROR";
    public const string Migration = "MIGRATION";
    public const string MigrationPass = "MIGRATION_PASS";
    public const string NicRxFilterChanged = "NIC_RX_FILTER_CHANGED";
    public const string Powerdown = "POWERDOWN";
    public const string QuorumFailure = "QUORUM_FAILURE";
    public const string QuorumReportBad = "QUORUM_REPORT_BAD";
    public const string Reset = "RESET";
    public const string Resume = "RESUME";
    public const string RtcChange = "RTC_CHANGE";
    public const string Shutdown = "SHUTDOWN";
    public const string SpiceConnected = "SPICE_CONNECTED";
    public const string SpiceDisconnected = "SPICE_DISCONNECTED";
    public const string SpiceInitialized = "SPICE_INITIALIZED";
    public const string SpiceMigrateCompleted = "SPICE_MIGRATE_COMPLETED";
    public const string Stop = "STOP";
    public const string Suspend = "SUSPEND";
    public const string SuspendDisk = "SUSPEND_DISK";
    public const string VncConnected = "VNC_CONNECTED";
    public const string VncDisconnected = "VNC_DISCONNECTED";
    public const string VncInitialized = "VNC_INITIALIZED";
    public const string VserportChange = "VSERPORT_CHANGE";
    public const string Wakeup = "WAKEUP";
    public const string Watchdog = "WATCHDOG";
#pragma warning restore CS1591
}
