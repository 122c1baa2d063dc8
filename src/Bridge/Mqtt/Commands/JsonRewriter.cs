using System.Text.Json;

namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>Walks one JSON value token by token, refusing nesting beyond a limit, and optionally writes it again
/// from the parsed tokens: whitespace, line ends and escapes of the input never reach the output.</summary>
internal static class JsonRewriter
{
    /// <summary>Reads the value at the reader's current token (writing it when <paramref name="output"/> is set);
    /// false when it nests deeper than <paramref name="maxDepth"/> levels counted from the payload's top object.</summary>
    public static bool TryCopyValue(ref Utf8JsonReader reader, Utf8JsonWriter? output, int maxDepth)
    {
        int start = reader.CurrentDepth;
        while (true)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    if (reader.CurrentDepth >= maxDepth) return false;
                    output?.WriteStartObject();
                    break;
                case JsonTokenType.StartArray:
                    if (reader.CurrentDepth >= maxDepth) return false;
                    output?.WriteStartArray();
                    break;
                case JsonTokenType.EndObject:
                    output?.WriteEndObject();
                    break;
                case JsonTokenType.EndArray:
                    output?.WriteEndArray();
                    break;
                case JsonTokenType.PropertyName:
                    output?.WritePropertyName(reader.GetString()!);
                    break;
                case JsonTokenType.String:
                    string text = reader.GetString()!; // also rejects invalid UTF-8
                    output?.WriteStringValue(text);
                    break;
                case JsonTokenType.Number:
                    output?.WriteRawValue(reader.ValueSpan, skipInputValidation: true); // a number token the reader validated
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    output?.WriteBooleanValue(reader.TokenType == JsonTokenType.True);
                    break;
                case JsonTokenType.Null:
                    output?.WriteNullValue();
                    break;
            }
            // Done at the scalar or the closing token on the starting depth; the reader throws on truncated input.
            if (reader.CurrentDepth == start && !IsOpening(reader.TokenType)) return true;
            reader.Read();
        }
    }

    private static bool IsOpening(JsonTokenType token) => token is JsonTokenType.StartObject or JsonTokenType.StartArray;
}
