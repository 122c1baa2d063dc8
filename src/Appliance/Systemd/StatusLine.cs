using System.Globalization;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;

namespace Appliance.Host.Systemd;

/// <summary>The one-line STATUS= for systemctl status: VMs up, events journaled, MQTT link.</summary>
internal sealed class StatusLine(VmStatusBoard board, JournalWriter journal, MqttMirror mirror)
{
    public string Format()
    {
        var vms = board.All;
        int running = vms.Count(v => v.Monitor == MonitorState.Running);
        int alarms = vms.Sum(v => v.Alarms.Count);
        return string.Create(CultureInfo.InvariantCulture,
            $"{running}/{vms.Count} monitors up, {journal.Counters.Rows} events journaled, MQTT {(mirror.IsConnected ? "connected" : "down")}, {alarms} alarms");
    }
}
