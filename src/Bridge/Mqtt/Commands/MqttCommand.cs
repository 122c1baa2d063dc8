namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>A parsed command message: <c>{"execute": NAME, "arguments": {...}, "id": ANY, "reply-to": TOPIC}</c>.</summary>
/// <param name="Execute">The command name.</param>
/// <param name="Arguments">Raw JSON object of arguments, or empty.</param>
/// <param name="Id">Raw JSON of <c>id</c>, echoed in the reply, or empty.</param>
/// <param name="ReplyTo">Reply topic from the payload (the MQTT 3.1.1 convention), or null.</param>
internal sealed record MqttCommand(string Execute, ReadOnlyMemory<byte> Arguments, ReadOnlyMemory<byte> Id, string? ReplyTo);
