using System.Text.Json;
using Appliance.Emu.Devices;
using static Appliance.Emu.Commands.ParamSpec;

namespace Appliance.Emu.Commands;

/// <summary>Migration and dump commands.</summary>
internal static class MachineCommands
{
    private static readonly string[] MigrationSchemes = ["tcp:", "unix:", "exec:", "fd:", "rdma:", "file:"];

    public static IEnumerable<CommandSpec> All =>
    [
        new("migrate-set-capabilities", [Req("capabilities", ParamType.Array)], SetCapabilities),
        new("migrate", [Req("uri", ParamType.String), Opt("blk", ParamType.Boolean), Opt("inc", ParamType.Boolean),
            Opt("detach", ParamType.Boolean), Opt("resume", ParamType.Boolean)], c =>
        {
            string uri = c.Args.String("uri");
            if (c.Vm.Migration.InProgress) return CommandResult.Error("There's a migration process in progress");
            if (!MigrationSchemes.Any(s => uri.StartsWith(s, StringComparison.Ordinal)))
            {
                c.Vm.Migration.FailToStart();
                return CommandResult.Error("Parameter 'uri' expects a valid migration protocol");
            }
            c.Vm.Migration.Start();
            return CommandResult.Empty;
        }),
        new("migrate_cancel", [], c =>
        {
            c.Vm.Migration.Cancel();
            return CommandResult.Empty;
        }),
        new("query-migrate", [], c => CommandResult.Of(w => WriteMigration(w, c.Vm.Migration))),
        new("dump-guest-memory", [Req("paging", ParamType.Boolean), Req("protocol", ParamType.String), Opt("detach", ParamType.Boolean),
            Opt("begin", ParamType.Integer), Opt("length", ParamType.Integer), Enum("format", false, "elf", "kdump-zlib", "kdump-lzo", "kdump-snappy", "win-dmp")], Dump),
        new("query-dump", [], c =>
        {
            var result = c.Vm.Dump.Result;
            return CommandResult.Of(w => JsonSerializer.Serialize(w, result, Qmp.QmpJsonContext.Default.DumpQueryResult));
        }),
    ];

    private static CommandResult SetCapabilities(CommandContext c)
    {
        if (c.Vm.Migration.InProgress) return CommandResult.Error("There's a migration process in progress");
        int index = 0;
        foreach (var item in c.Args.Element("capabilities").EnumerateArray())
        {
            string at = $"capabilities[{index++}]";
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("capability", out var cap) || cap.ValueKind != JsonValueKind.String)
            {
                return CommandResult.Error($"Parameter '{at}.capability' is missing");
            }
            if (!item.TryGetProperty("state", out var state) || state.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return CommandResult.Error($"Invalid parameter type for '{at}.state', expected: boolean");
            }
            if (state.GetBoolean()) c.Vm.Migration.Capabilities.Add(cap.GetString()!);
            else c.Vm.Migration.Capabilities.Remove(cap.GetString()!);
        }
        return CommandResult.Empty;
    }

    private static CommandResult Dump(CommandContext c)
    {
        string protocol = c.Args.String("protocol");
        if (c.Vm.Dump.Active) return CommandResult.Error("There is a dump in progress");
        if (protocol.StartsWith("fd:", StringComparison.Ordinal))
        {
            return CommandResult.Error($"File descriptor named '{protocol[3..]}' has not been found");
        }
        if (!protocol.StartsWith("file:", StringComparison.Ordinal)) return CommandResult.Error("Invalid parameter 'protocol'");
        string? error = c.Vm.Dump.Start(protocol[5..], c.Args.Boolean("detach"));
        return error is null ? CommandResult.Empty : CommandResult.Error(error);
    }

    private static void WriteMigration(Utf8JsonWriter w, MigrationModel m)
    {
        w.WriteStartObject();
        if (m.Status != "none")
        {
            w.WriteString("status", m.Status);
            if (m.Status == "completed") w.WriteNumber("total-time", m.TotalMilliseconds);
            w.WriteStartObject("ram");
            w.WriteNumber("transferred", m.Transferred);
            w.WriteNumber("remaining", Math.Max(0, Balloon.RamSize - m.Transferred));
            w.WriteNumber("total", Balloon.RamSize);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
