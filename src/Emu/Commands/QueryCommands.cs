using Appliance.Qmp.Codec;
using System.Text.Json;
using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Commands;

/// <summary>Machine-wide queries: query-version, query-commands, query-status, query-name, query-vnc, query-spice.</summary>
internal static class QueryCommands
{
    public static IEnumerable<CommandSpec> All =>
    [
        new("query-version", [], c =>
        {
            var version = c.Vm.Options.Persona.Version;
            return CommandResult.Of(w => QmpMessageWriter.WriteVersion(w, version));
        }),
        new("query-commands", [], _ => CommandResult.Of(w =>
            JsonReplies.ObjectArray(w, CommandTable.Names, static (w, name) => w.WriteString("name", name)))),
        new("query-status", [], c =>
        {
            string status = c.Vm.Status;
            return CommandResult.Of(w =>
            {
                // Schema order (StatusInfo): QEMU's dictionary order depends on it for keys that share a bucket.
                w.WriteStartObject();
                w.WriteBoolean("running", status == RunStatus.Running);
                w.WriteBoolean("singlestep", false);
                w.WriteString("status", status);
                w.WriteEndObject();
            });
        }),
        new("query-name", [], c =>
        {
            string name = c.Vm.Options.Name;
            return CommandResult.Of(w =>
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteEndObject();
            });
        }),
        new("query-vnc", [], c => CommandResult.Of(w => WriteVnc(w, c.Vm))),
        new("query-spice", [], c => CommandResult.Of(w => WriteSpice(w, c.Vm))),
    ];

    private static void WriteVnc(Utf8JsonWriter w, VirtualMachine vm)
    {
        w.WriteStartObject();
        w.WriteBoolean("enabled", vm.Vnc is not null);
        if (vm.Vnc is { } vnc)
        {
            w.WriteString("host", vnc.Server.Host);
            w.WriteString("service", vnc.Server.Service);
            w.WriteString("family", vnc.Server.Family);
            w.WriteString("auth", vnc.Server.Auth);
            JsonReplies.ObjectArray(w, vnc.Clients, static (w, client) =>
            {
                w.WriteString("host", client.Host);
                w.WriteString("service", client.Service);
                w.WriteString("family", client.Family);
                w.WriteBoolean("websocket", false);
            }, "clients");
        }
        w.WriteEndObject();
    }

    private static void WriteSpice(Utf8JsonWriter w, VirtualMachine vm)
    {
        w.WriteStartObject();
        w.WriteBoolean("enabled", true);
        w.WriteBoolean("migrated", vm.Migration.Status == "completed");
        w.WriteString("host", Devices.SpiceModel.Host);
        w.WriteNumber("port", Devices.SpiceModel.Port);
        w.WriteString("auth", "none");
        w.WriteString("compiled-version", "0.15.1");
        w.WriteString("mouse-mode", "server");
        JsonReplies.ObjectArray(w, vm.Spice.Clients, static (w, connection) =>
        {
            w.WriteString("host", "127.0.0.1");
            w.WriteString("port", (40000 + connection).ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("family", "ipv4");
            w.WriteNumber("connection-id", connection);
            w.WriteNumber("channel-type", 1);
            w.WriteNumber("channel-id", 0);
            w.WriteBoolean("tls", false);
        }, "channels");
        w.WriteEndObject();
    }

}
