using System.Text.Json;
using Appliance.Qmp.Codec;

namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>Parses a command payload; never throws for bad input.</summary>
internal static class MqttCommandParser
{
    private const int MaxReplyTopicLength = 512;

    /// <summary>The command, or what was wrong with it (QMP-style), plus any <c>id</c>/<c>reply-to</c> still recovered.</summary>
    public readonly record struct Result(MqttCommand? Command, string? Error, ReadOnlyMemory<byte> Id, string? ReplyTo);

    public static Result Parse(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return ParseCore(payload);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return new Result(null, "JSON parse error, invalid JSON syntax", default, null);
        }
    }

    private static Result ParseCore(ReadOnlyMemory<byte> payload)
    {
        var reader = new Utf8JsonReader(payload.Span, QmpJsonLimits.ReaderOptions);
        if (!reader.Read()) return new Result(null, "JSON parse error, expecting value", default, null);
        if (reader.TokenType != JsonTokenType.StartObject) return new Result(null, "QMP input must be a JSON object", default, null);

        string? execute = null, replyTo = null, error = null;
        ReadOnlyMemory<byte> arguments = default, id = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            var kind = reader.TokenType;
            string? text = kind == JsonTokenType.String ? reader.GetString() : null;
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            var value = payload[start..(int)reader.BytesConsumed];
            switch (name)
            {
                case "execute":
                    execute = text;
                    if (text is null) error ??= "QMP input member 'execute' must be a string";
                    break;
                case "arguments":
                    if (kind != JsonTokenType.StartObject) error ??= "QMP input member 'arguments' must be an object";
                    arguments = value;
                    break;
                case "id":
                    id = value;
                    break;
                case "reply-to":
                    replyTo = ValidReplyTopic(text);
                    if (replyTo is null) error ??= "member 'reply-to' must be a topic name without wildcards";
                    break;
                default:
                    error ??= $"QMP input member '{name}' is unexpected";
                    break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return new Result(null, "JSON parse error, invalid JSON syntax", default, null);
        }
        if (error is null && execute is null) error = "QMP input lacks member 'execute'";
        return error is null
            ? new Result(new MqttCommand(execute!, arguments, id, replyTo), null, id, replyTo)
            : new Result(null, error, id, replyTo);
    }

    private static string? ValidReplyTopic(string? topic) =>
        topic is { Length: > 0 and <= MaxReplyTopicLength } && topic.IndexOfAny(['+', '#', '\0']) < 0 ? topic : null;
}
