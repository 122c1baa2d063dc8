using System.Collections.Frozen;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>Everything a command payload must pass before it may reach a monitor: size and nesting limits, the
/// QMP envelope, the allowlist (exact names, no patterns) and the command's argument schema.</summary>
internal sealed class CommandGate(IEnumerable<string> allowed, int maxBytes)
{
    private readonly FrozenSet<string> _allowed = allowed.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The command, freshly serialized, or the QMP error class and text to answer with.</summary>
    public readonly record struct Verdict(MqttCommand? Command, string? ErrorClass, string? Error, ReadOnlyMemory<byte> Id, string? ReplyTo);

    public Verdict Check(ReadOnlyMemory<byte> payload)
    {
        var parsed = MqttCommandParser.Parse(payload, maxBytes);
        if (parsed.Execute is not { } execute)
        {
            return new Verdict(null, QmpErrorClass.GenericError, parsed.Error, parsed.Id, parsed.ReplyTo);
        }
        if (!_allowed.Contains(execute))
        {
            return new Verdict(null, QmpErrorClass.CommandNotFound, $"The command {execute} is not allowed over MQTT", parsed.Id, parsed.ReplyTo);
        }
        if (CommandArguments.Serialize(execute, parsed.Arguments, out string? error) is not { } arguments)
        {
            return new Verdict(null, QmpErrorClass.GenericError, error, parsed.Id, parsed.ReplyTo);
        }
        if (arguments.Length > maxBytes)
        {
            // Escaping can make the written form longer than what was sent.
            return new Verdict(null, QmpErrorClass.GenericError,
                $"Arguments of {arguments.Length} bytes once serialized are over the limit of {maxBytes} bytes", parsed.Id, parsed.ReplyTo);
        }
        return new Verdict(new MqttCommand(execute, arguments, parsed.Id, parsed.ReplyTo), null, null, parsed.Id, parsed.ReplyTo);
    }
}
