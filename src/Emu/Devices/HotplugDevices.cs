using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary>Hot-plugged devices: <c>device_add</c> and <c>device_del</c>, with the guest acknowledging (or refusing) unplugs.</summary>
internal sealed class HotplugDevices(VirtualMachine vm)
{
    /// <summary>Device models this machine can hot-plug.</summary>
    public static readonly string[] Drivers =
    [
        "virtio-net-pci", "virtio-blk-pci", "virtio-serial-pci", "e1000", "usb-tablet", "usb-kbd", "usb-mouse",
        "usb-storage", "pc-dimm", "qemu64-x86_64-cpu", "virtio-balloon-pci",
    ];

    /// <summary>Most devices plugged at once, so a client looping device_add cannot grow the machine without bound.</summary>
    public const int MaxDevices = 256;

    private readonly Dictionary<string, PluggedDevice> _devices = new(StringComparer.Ordinal);
    private int _anonymous;

    public IEnumerable<PluggedDevice> Plugged => _devices.Values;

    /// <summary>Adds a device; returns the QEMU error text when it cannot.</summary>
    public string? Add(string driver, string? id)
    {
        if (!Drivers.Contains(driver)) return $"'{driver}' is not a valid device model name";
        if (id is not null && _devices.ContainsKey(id)) return $"Duplicate device ID '{id}'";
        if (_devices.Count >= MaxDevices) return $"No free slot: this machine takes at most {MaxDevices} hot-plugged devices";
        string key = id ?? $"device[{_anonymous++}]";
        string path = id is null ? $"/machine/peripheral-anon/{key}" : $"/machine/peripheral/{id}";
        _devices[key] = new PluggedDevice(key, id, driver, path);
        return null;
    }

    public PluggedDevice? Find(string id) => _devices.GetValueOrDefault(id);

    /// <summary>Asks the guest to release a device. USB unplugs without the guest, right after the reply (QEMU
    /// finalizes the device from its main loop); ACPI and PCI devices wait for the guest.</summary>
    public void RequestRemoval(PluggedDevice device)
    {
        if (device.Driver.StartsWith("usb-", StringComparison.Ordinal))
        {
            vm.Clock.After(TimeSpan.Zero, () => Remove(device));
            return;
        }
        vm.Guest.React(() => GuestAnswersUnplug(device));
    }

    private void GuestAnswersUnplug(PluggedDevice device)
    {
        if (!_devices.ContainsKey(device.Key)) return;
        string? slotType = device.Driver switch
        {
            "pc-dimm" => "DIMM",
            "qemu64-x86_64-cpu" => "CPU",
            _ => null,
        };
        if (slotType is null)
        {
            Remove(device);
            return;
        }
        bool refused = slotType == "DIMM" && vm.Guest.RefusesMemoryUnplug;
        // _OST: source 3 is an eject request; status 0 is success, 1 a non-specific failure.
        vm.Events.Emit(QmpEventNames.AcpiDeviceOst, new AcpiDeviceOstEvent(
            new AcpiOstInfo(slotType, device.Slot, Source: 3, Status: refused ? 1 : 0, Device: device.Id)));
        if (refused)
        {
            // QEMU (hw/acpi/memory_hotplug.c) sends both, in this order, while MEM_UNPLUG_ERROR is deprecated (6.2 to
            // 9.0); the persona drops MEM_UNPLUG_ERROR from 9.1 on.
            vm.Events.Emit(QmpEventNames.MemUnplugError, new MemUnplugErrorEvent(device.Id ?? "",
                $"Guest refused to unplug memory device '{device.Id}'"));
            vm.Events.Emit(QmpEventNames.DeviceUnplugGuestError, new DeviceUnplugGuestErrorEvent(device.Path, device.Id));
            return;
        }
        Remove(device);
    }

    private void Remove(PluggedDevice device)
    {
        if (!_devices.Remove(device.Key)) return;
        if (device.Driver.StartsWith("virtio-", StringComparison.Ordinal))
        {
            // QEMU reports the virtio backend child first, then the proxy device itself.
            vm.Events.Emit(QmpEventNames.DeviceDeleted, new DeviceDeletedEvent(device.Path + "/virtio-backend"));
        }
        vm.Events.Emit(QmpEventNames.DeviceDeleted, new DeviceDeletedEvent(device.Path, device.Id));
    }
}

/// <summary>A hot-plugged device: <see cref="Key"/> is its id, or a generated name for anonymous devices.</summary>
internal sealed record PluggedDevice(string Key, string? Id, string Driver, string Path)
{
    public string Slot => "0";
}
