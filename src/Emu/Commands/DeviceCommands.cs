using System.Text.Json;
using Appliance.Emu.Devices;
using Appliance.Emu.Machine;
using Appliance.Qmp.Messages;
using static Appliance.Emu.Commands.ParamSpec;

namespace Appliance.Emu.Commands;

/// <summary>Device commands: device_add, device_del, balloon, query-balloon, query-rx-filter.</summary>
internal static class DeviceCommands
{
    public static IEnumerable<CommandSpec> All =>
    [
        new("device_add", [Req("driver", ParamType.String), Opt("id", ParamType.String), Opt("bus", ParamType.String)], c =>
        {
            string? error = c.Vm.Hotplug.Add(c.Args.String("driver"), c.Args.OptionalString("id"));
            return error is null ? CommandResult.Empty : CommandResult.Error(error);
        }, AllowsExtra: true),
        new("device_del", [Req("id", ParamType.String)], c =>
        {
            string id = c.Args.String("id");
            var device = c.Vm.Hotplug.Find(id);
            if (device is null) return CommandResult.Error(QmpErrorClass.DeviceNotFound, $"Device '{id}' not found");
            c.Vm.Hotplug.RequestRemoval(device);
            return CommandResult.Empty;
        }),
        new("balloon", [Req("value", ParamType.Integer)], c =>
        {
            long value = c.Args.Integer("value");
            if (value <= 0) return CommandResult.Error("Parameter 'target' expects a size");
            c.Vm.Balloon.SetTarget(value);
            return CommandResult.Empty;
        }),
        new("query-balloon", [], c =>
        {
            long actual = c.Vm.Balloon.Actual;
            return CommandResult.Of(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("actual", actual);
                w.WriteEndObject();
            });
        }),
        new("query-rx-filter", [Opt("name", ParamType.String)], c =>
        {
            string? name = c.Args.OptionalString("name");
            if (name is not null && name != NicModel.Name)
            {
                return CommandResult.Error($"invalid net client name: {name}");
            }
            c.Vm.Nics.FilterQueried();
            return CommandResult.Of(w => WriteRxFilter(w, c.Vm.Nics));
        }),
    ];

    private static void WriteRxFilter(Utf8JsonWriter w, NicModel nic)
    {
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteString("name", NicModel.Name);
        w.WriteBoolean("promiscuous", nic.Promiscuous);
        w.WriteString("multicast", "normal");
        w.WriteString("unicast", "normal");
        w.WriteString("vlan", "normal");
        w.WriteBoolean("broadcast-allowed", true);
        w.WriteBoolean("multicast-overflow", false);
        w.WriteBoolean("unicast-overflow", false);
        w.WriteString("main-mac", nic.MainMac);
        w.WriteStartArray("vlan-table");
        w.WriteEndArray();
        w.WriteStartArray("unicast-table");
        w.WriteEndArray();
        w.WriteStartArray("multicast-table");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
    }
}
