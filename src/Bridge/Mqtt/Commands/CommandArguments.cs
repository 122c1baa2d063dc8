using System.Buffers;
using System.Text.Json;

namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>Checks a command's arguments against <see cref="CommandSchema"/> and writes them afresh, typed and in
/// schema order. The checks and their texts follow QEMU's QAPI input visitor: per parameter in schema order a
/// missing, wrongly typed or out-of-enum value, then any member the command does not take.</summary>
internal static class CommandArguments
{
    /// <summary>The arguments to send (empty when there are none), or null with <paramref name="error"/> set.</summary>
    /// <param name="command">The command name.</param>
    /// <param name="arguments">The <c>arguments</c> object as <see cref="MqttCommandParser"/> found it, or empty.</param>
    /// <param name="error">QEMU-like description of the first problem.</param>
    public static ReadOnlyMemory<byte>? Serialize(string command, ReadOnlyMemory<byte> arguments, out string? error)
    {
        var members = Members(arguments.Span, out error);
        if (members is null) return null;
        var parameters = CommandSchema.ParametersOf(command);
        foreach (var p in parameters)
        {
            if (!members.TryGetValue(p.Name, out var value))
            {
                if (p.Required) return Fail($"Parameter '{p.Name}' is missing", out error);
                continue;
            }
            if (!HasType(value, p.Type)) return Fail($"Invalid parameter type for '{p.Name}', expected: {p.TypeName}", out error);
            if (p.Values is not null && Array.IndexOf(p.Values, value.GetString()) < 0)
            {
                return Fail($"Parameter '{p.Name}' does not accept value '{value.GetString()}'", out error);
            }
        }
        foreach (string name in members.Keys)
        {
            if (!parameters.Any(p => p.Name == name)) return Fail($"Parameter '{name}' is unexpected", out error);
        }
        if (members.Count == 0) return ReadOnlyMemory<byte>.Empty;

        var output = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            foreach (var p in parameters)
            {
                if (!members.TryGetValue(p.Name, out var value)) continue;
                w.WritePropertyName(p.Name);
                switch (p.Type)
                {
                    case ArgumentType.String: w.WriteStringValue(value.GetString()); break;
                    case ArgumentType.Boolean: w.WriteBooleanValue(value.GetBoolean()); break;
                    case ArgumentType.Integer: w.WriteNumberValue(value.GetInt64()); break;
                    default: w.WriteNumberValue(value.GetDouble()); break;
                }
            }
            w.WriteEndObject();
        }
        return output.WrittenMemory;
    }

    private static ReadOnlyMemory<byte>? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }

    /// <summary>Top-level members by name; null (with the error) on a duplicate name.</summary>
    private static Dictionary<string, JsonElement>? Members(ReadOnlySpan<byte> arguments, out string? error)
    {
        error = null;
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (arguments.IsEmpty) return members;
        var reader = new Utf8JsonReader(arguments, new JsonReaderOptions { MaxDepth = MqttCommandParser.MaxDepth });
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            var value = JsonElement.ParseValue(ref reader);
            if (!members.TryAdd(name, value))
            {
                error = $"JSON parse error, duplicate key '{name}'";
                return null;
            }
        }
        return members;
    }

    private static bool HasType(JsonElement value, ArgumentType type) => type switch
    {
        ArgumentType.String => value.ValueKind == JsonValueKind.String,
        ArgumentType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        ArgumentType.Integer => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        _ => value.ValueKind == JsonValueKind.Number && double.IsFinite(value.GetDouble()),
    };
}
