using System.Text.Json;
using Appliance.Bridge.Pipeline;

namespace Appliance.Host.Status;

/// <summary>The <c>vms</c> section: every VM's monitor state, run status, event count, last event and alarms.</summary>
internal sealed class VmsStatusSection(VmStatusBoard board) : IStatusSection
{
    public string Name => "vms";

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartArray();
        foreach (var vm in board.All)
        {
            w.WriteStartObject();
            w.WriteString("name", vm.Vm);
            w.WriteString("monitor", vm.Monitor.ToString().ToLowerInvariant());
            w.WriteString("monitor-since", vm.MonitorSince);
            w.WriteString("run-status", vm.RunStatus);
            var events = board.Events.Get(vm.Vm);
            w.WriteNumber("events", events.Events);
            if (events.LastEvent is not null) w.WriteString("last-event", events.LastEvent);
            if (events.LastEventAt is { } at) w.WriteString("last-event-at", at);
            w.WriteStartArray("alarms");
            foreach (var alarm in vm.Alarms) w.WriteStringValue(alarm);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
