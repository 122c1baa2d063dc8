namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>A command that passed every check: <c>{"execute": NAME, "arguments": {...}, "id": ANY, "reply-to": TOPIC}</c>
/// taken apart and serialized afresh. Nothing in it is text copied from the MQTT payload.</summary>
/// <param name="Execute">The command name (on the allowlist).</param>
/// <param name="Arguments">The arguments as a freshly written JSON object in schema order, or empty for none.</param>
/// <param name="Id">The <c>id</c> as freshly written JSON, echoed in the reply only (the monitor gets its own ids), or empty.</param>
/// <param name="ReplyTo">Reply topic from the payload (the MQTT 3.1.1 convention), or null.</param>
internal sealed record MqttCommand(string Execute, ReadOnlyMemory<byte> Arguments, ReadOnlyMemory<byte> Id, string? ReplyTo);
