using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary>A simulated SPICE server whose clients come and go as the guest model says; no real listener.</summary>
internal sealed class SpiceModel(VirtualMachine vm)
{
    public const string Host = "127.0.0.1";
    public const int Port = 5930;
    public const int MaxClients = 16;

    private readonly List<int> _clients = [];
    private int _nextConnection = 1;

    public bool HasClients => _clients.Count > 0;
    public IReadOnlyList<int> Clients => _clients;

    /// <summary>A client connects and its main channel initializes: SPICE_CONNECTED, SPICE_INITIALIZED.
    /// False when <see cref="MaxClients"/> are already connected.</summary>
    public bool Connect()
    {
        if (_clients.Count >= MaxClients) return false;
        int connection = _nextConnection++;
        _clients.Add(connection);
        var server = new SpiceBasicInfo(Host, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "ipv4");
        var client = ClientAddress(connection);
        vm.Events.Emit(QmpEventNames.SpiceConnected, new SpiceConnectedEvent(server, client));
        vm.Events.Emit(QmpEventNames.SpiceInitialized, new SpiceInitializedEvent(
            new SpiceServerInfo(server.Host, server.Port, server.Family, "none"),
            new SpiceChannelInfo(client.Host, client.Port, client.Family, connection, ChannelType: 1, ChannelId: 0, Tls: false)));
        return true;
    }

    /// <summary>The most recent client disconnects: SPICE_DISCONNECTED. False when none is connected.</summary>
    public bool Disconnect()
    {
        if (_clients.Count == 0) return false;
        int connection = _clients[^1];
        _clients.RemoveAt(_clients.Count - 1);
        var server = new SpiceBasicInfo(Host, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "ipv4");
        vm.Events.Emit(QmpEventNames.SpiceDisconnected, new SpiceDisconnectedEvent(server, ClientAddress(connection)));
        return true;
    }

    private static SpiceBasicInfo ClientAddress(int connection) =>
        new("127.0.0.1", (40000 + connection).ToString(System.Globalization.CultureInfo.InvariantCulture), "ipv4");
}
