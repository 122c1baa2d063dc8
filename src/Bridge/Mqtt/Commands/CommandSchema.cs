using System.Collections.Frozen;

namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>The arguments each command the MQTT command topic may carry takes: names and JSON types as QEMU's QAPI
/// schema declares them (qapi/misc.json, machine.json, run-state.json, net.json, block.json, QEMU 7.2), plus the
/// emulator's load generator. A command
/// that is allowed but not listed here takes no arguments, so an operator who allows more commands never opens a
/// path for arbitrary JSON to reach a monitor.</summary>
internal static class CommandSchema
{
    private static readonly string[] WatchdogActions = ["reset", "shutdown", "poweroff", "pause", "debug", "none", "inject-nmi"];

    private static readonly FrozenDictionary<string, CommandParameter[]> Commands = new Dictionary<string, CommandParameter[]>
    {
        // No arguments (QAPI 'data' absent).
        ["query-status"] = [],
        ["query-name"] = [],
        ["query-version"] = [],
        ["query-uuid"] = [],
        ["query-kvm"] = [],
        ["stop"] = [],
        ["cont"] = [],
        ["system_reset"] = [],
        ["system_powerdown"] = [],
        ["system_wakeup"] = [],
        ["inject-nmi"] = [],
        [MqttCommandNames.Acknowledge] = [],
        // run-state.json
        ["watchdog-set-action"] = [CommandParameter.Enum("action", required: true, WatchdogActions)],
        ["set-action"] =
        [
            CommandParameter.Enum("reboot", required: false, "reset", "shutdown"),
            CommandParameter.Enum("shutdown", required: false, "poweroff", "pause"),
            CommandParameter.Enum("panic", required: false, "pause", "shutdown", "exit-failure", "none"),
            CommandParameter.Enum("watchdog", required: false, WatchdogActions),
        ],
        // net.json
        ["set_link"] = [new("name", ArgumentType.String, true), new("up", ArgumentType.Boolean, true)],
        // block.json
        ["eject"] = [new("device", ArgumentType.String, false), new("id", ArgumentType.String, false), new("force", ArgumentType.Boolean, false)],
        // machine.json
        ["balloon"] = [new("value", ArgumentType.Integer, true)],
        // The emulator's own (docs/emulator.md); allowed only when named in the allowlist like any other command.
        ["x-load"] = [new("count", ArgumentType.Integer, true)],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The parameters of <paramref name="command"/>; none for a command the schema does not list.</summary>
    public static IReadOnlyList<CommandParameter> ParametersOf(string command) =>
        Commands.TryGetValue(command, out var parameters) ? parameters : [];

    /// <summary>True when the schema lists <paramref name="command"/> (whatever its parameters).</summary>
    public static bool Knows(string command) => Commands.ContainsKey(command);
}

/// <summary>JSON types a command argument may have, named as QEMU names them in its error texts.</summary>
internal enum ArgumentType
{
    String,
    Integer,
    Boolean,
    Number,
}

/// <summary>One declared argument; <see cref="Values"/> restricts a string to a QAPI enum.</summary>
internal sealed record CommandParameter(string Name, ArgumentType Type, bool Required, string[]? Values = null)
{
    public static CommandParameter Enum(string name, bool required, params string[] values) => new(name, ArgumentType.String, required, values);

    /// <summary>The type as QEMU's "Invalid parameter type for 'x', expected: ..." names it.</summary>
    public string TypeName => Type switch
    {
        ArgumentType.String => "string",
        ArgumentType.Integer => "integer",
        ArgumentType.Boolean => "boolean",
        _ => "number",
    };
}
