using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary>The built-in virtio NIC. NIC_RX_FILTER_CHANGED goes out once, then not again until
/// <c>query-rx-filter</c> has read the filter (QEMU's nc->rxfilter_notify_enabled).</summary>
internal sealed class NicModel(VirtualMachine vm)
{
    public const string Name = "net0";
    public const string Path = "/machine/peripheral/net0/virtio-backend";

    private bool _notifyEnabled = true;

    public bool Promiscuous { get; private set; }
    public string MainMac => "52:54:00:12:34:56";

    /// <summary>The guest reprograms the filter (a multicast join, promiscuous mode).</summary>
    public void GuestChangesFilter()
    {
        Promiscuous = !Promiscuous;
        if (!_notifyEnabled) return;
        _notifyEnabled = false;
        vm.Events.Emit(QmpEventNames.NicRxFilterChanged, new NicRxFilterChangedEvent(Path, Name));
    }

    /// <summary><c>query-rx-filter</c> ran: the next change is reported again.</summary>
    public void FilterQueried() => _notifyEnabled = true;
}
