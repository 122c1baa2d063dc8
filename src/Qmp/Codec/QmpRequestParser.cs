using System.Text.Json;
using Appliance.Qmp.Messages;

namespace Appliance.Qmp.Codec;

/// <summary>Parses one line sent by a QMP client into a <see cref="QmpRequest"/>, with QEMU's error texts. No I/O.</summary>
public static class QmpRequestParser
{
    /// <summary>The outcome of parsing a request line.</summary>
    /// <param name="Request">The request, when the line was a valid command.</param>
    /// <param name="ErrorDescription">QEMU-style description of what was wrong, when it was not.</param>
    /// <param name="Id">The <c>id</c> when it could be recovered from an otherwise bad request, else empty.</param>
    public readonly record struct Result(QmpRequest? Request, string? ErrorDescription, ReadOnlyMemory<byte> Id);

    /// <summary>Parses a request line (without terminator). Never throws for bad input.</summary>
    public static Result Parse(ReadOnlyMemory<byte> line)
    {
        try
        {
            return ParseCore(line);
        }
        catch (JsonException)
        {
            return new Result(null, "JSON parse error, invalid JSON syntax", default);
        }
        catch (ArgumentException)
        {
            // Utf8JsonReader reports invalid UTF-8 inside strings this way on some paths.
            return new Result(null, "JSON parse error, invalid UTF-8 sequence", default);
        }
        catch (InvalidOperationException)
        {
            return new Result(null, "JSON parse error, invalid UTF-8 sequence", default);
        }
    }

    private static Result ParseCore(ReadOnlyMemory<byte> line)
    {
        var reader = new Utf8JsonReader(line.Span, QmpJsonLimits.ReaderOptions);
        if (!reader.Read())
        {
            return new Result(null, "JSON parse error, expecting value", default);
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new Result(null, "QMP input must be a JSON object", default);
        }

        string? execute = null;
        bool oob = false, sawExecute = false;
        ReadOnlyMemory<byte> arguments = default, id = default;
        string? unexpected = null, badType = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            var kind = reader.TokenType;
            int start = (int)reader.TokenStartIndex;
            string? str = kind == JsonTokenType.String ? reader.GetString() : null;
            reader.Skip();
            var value = line[start..(int)reader.BytesConsumed];
            switch (name)
            {
                case "execute" or "exec-oob":
                    sawExecute = true;
                    oob = name == "exec-oob";
                    if (str is null) badType ??= $"QMP input member '{name}' must be a string";
                    execute = str;
                    break;
                case "arguments":
                    if (kind != JsonTokenType.StartObject) badType ??= "QMP input member 'arguments' must be an object";
                    arguments = value;
                    break;
                case "id":
                    id = value;
                    break;
                default:
                    unexpected ??= $"QMP input member '{name}' is unexpected";
                    break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return new Result(null, "JSON parse error, invalid JSON syntax", default);
        }
        if (badType is not null) return new Result(null, badType, id);
        if (!sawExecute) return new Result(null, "QMP input lacks member 'execute'", id);
        if (unexpected is not null) return new Result(null, unexpected, id);
        return new Result(new QmpRequest(execute!, arguments, id, oob), null, id);
    }
}
