using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary>What <c>query-vnc</c> reports: the listener's address and the connected clients.</summary>
internal sealed class VncState(VncServerInfo server)
{
    public VncServerInfo Server { get; } = server;
    public List<VncClientInfo> Clients { get; } = [];
}
