using System.Buffers;
using System.Text.Json;

namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>Takes a command payload apart into its members, within size and nesting limits; never throws for bad
/// input. The <c>id</c> comes out freshly written; the arguments come out as a checked slice that only
/// <see cref="CommandArguments"/> reads (it writes what reaches the monitor).</summary>
internal static class MqttCommandParser
{
    /// <summary>The members, or what was wrong (QMP-style text), plus any <c>id</c>/<c>reply-to</c> still recovered.</summary>
    public readonly record struct Result(string? Execute, ReadOnlyMemory<byte> Arguments, ReadOnlyMemory<byte> Id, string? ReplyTo, string? Error);

    /// <summary>JSON nesting allowed in a command, counting the command object itself: real commands use two levels.</summary>
    public const int MaxDepth = 8;

    // Deeper than any accepted command, so the reader itself never stops first and the caller gets the clear message.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 1024 };

    public static Result Parse(ReadOnlyMemory<byte> payload, int maxBytes)
    {
        if (payload.Length > maxBytes)
        {
            return Failed($"Command of {payload.Length} bytes is over the limit of {maxBytes} bytes");
        }
        try
        {
            return ParseCore(payload);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return Failed("JSON parse error, invalid JSON syntax");
        }
    }

    private static Result Failed(string error, ReadOnlyMemory<byte> id = default, string? replyTo = null) =>
        new(null, default, id, replyTo, error);

    private static Result ParseCore(ReadOnlyMemory<byte> payload)
    {
        var reader = new Utf8JsonReader(payload.Span, ReaderOptions);
        if (!reader.Read()) return Failed("JSON parse error, expecting value");
        if (reader.TokenType != JsonTokenType.StartObject) return Failed("QMP input must be a JSON object");

        string? execute = null, replyTo = null, error = null;
        ReadOnlyMemory<byte> arguments = default, id = default;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            var kind = reader.TokenType;
            string? text = kind == JsonTokenType.String ? reader.GetString() : null;
            int start = (int)reader.TokenStartIndex;
            var idOutput = name == "id" ? new ArrayBufferWriter<byte>(32) : null;
            using (var writer = idOutput is null ? null : new Utf8JsonWriter(idOutput))
            {
                if (!JsonRewriter.TryCopyValue(ref reader, writer, MaxDepth))
                {
                    return Failed($"JSON parse error, nesting deeper than {MaxDepth} levels", id, replyTo);
                }
                writer?.Flush();
            }
            if (!seen.Add(name))
            {
                error ??= $"JSON parse error, duplicate key '{name}'";
                continue;
            }
            switch (name)
            {
                case "execute":
                    execute = text;
                    if (text is null) error ??= "QMP input member 'execute' must be a string";
                    break;
                case "arguments":
                    if (kind != JsonTokenType.StartObject) error ??= "QMP input member 'arguments' must be an object";
                    arguments = payload[start..(int)reader.BytesConsumed];
                    break;
                case "id":
                    id = idOutput!.WrittenMemory;
                    break;
                case "reply-to":
                    replyTo = text;
                    if (text is null) error ??= "Member 'reply-to' must be a string";
                    break;
                default:
                    error ??= $"QMP input member '{name}' is unexpected";
                    break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return Failed("JSON parse error, invalid JSON syntax");
        }
        if (error is null && execute is null) error = "QMP input lacks member 'execute'";
        return new Result(error is null ? execute : null, arguments, id, replyTo, error);
    }
}
